package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.Agent;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.commands.CommandRunner;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.LoopbackGate;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;

/**
 * Issue 12, must show 5: the real agent, cut off from the real server (its loopback port closed) for three
 * scans, then reconnected. Every kept scan report and the command result that waited arrive, in order, and the
 * compliance history shows each scan at the time it was taken, not at its arrival. Scans are driven by the
 * clock the agent and the server share, moved by the test.
 */
class AgentOutageTest {
    static final Duration SCAN_INTERVAL = Duration.ofHours(1);

    @TempDir
    Path root;

    @TempDir
    Path state;

    final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    TestServer server;
    LoopbackGate gate;
    SsmClient ssm;
    ApiClient admin;
    Agent agent;
    String instanceId;
    final List<String> installed = new ArrayList<>(List.of("bash", "tzdata"));

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(clock);
        ssm = server.ssm();
        admin = server.adminClient();
        gate = LoopbackGate.to(server.endpoint());
        var activation = ssm.createActivation(b -> b.iamRole("r").registrationLimit(1));
        FakeAgent registered =
                FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        instanceId = registered.instanceId();
        debianHost();
        agent = new Agent(
                        new Registration(
                                gate.endpoint().toString(),
                                TestServer.REGION,
                                instanceId,
                                registered.accessKeyId(),
                                registered.secretAccessKey(),
                                300,
                                Instant.now()),
                        state,
                        Duration.ofMillis(200),
                        SCAN_INTERVAL,
                        root,
                        () -> new HostFacts("web-1", List.of("10.0.0.1"), "Linux", "Debian GNU/Linux", "12"),
                        clock)
                .commands(true, new CommandRunner.Settings(1, Duration.ofSeconds(30), 8192, 10, Duration.ofDays(1)));
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        gate.close();
        server.close();
    }

    @Test
    void cutOffForThreeScansThenReconnectedEverythingArrivesInOrderAtItsRealTime() throws Exception {
        Instant first = clock.instant();
        agent.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> history().size() == 1);

        // A command runs when the server goes away; its result can only wait in the agent's journal.
        String commandId = ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(instanceId)
                        .parameters(Map.of(
                                "commands",
                                List.of("sleep 2", "echo ran through the outage"),
                                // longer than the outage on the moved clock, so that it ends Success, not TimedOut
                                "executionTimeout",
                                List.of("36000"))))
                .command()
                .commandId();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> invocation(commandId).statusAsString().equals("InProgress"));
        gate.shut();

        // Three scans while cut off, each finding one more package installed.
        for (int scan = 1; scan <= 3; scan++) {
            install("pkg" + scan);
            clock.advance(SCAN_INTERVAL);
            int kept = scan;
            await().atMost(Duration.ofSeconds(60)).until(() -> agent.spooledScans() == kept);
        }
        assertThat(history()).hasSize(1);
        assertThat(invocation(commandId).statusAsString()).isEqualTo("InProgress");

        gate.open();
        await().atMost(Duration.ofSeconds(60)).until(() -> agent.spooledScans() == 0);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> invocation(commandId).statusAsString().equals("Success"));
        List<JsonNode> history = history();
        // Each scan's row at the time it was taken (the clock stood still while the agent scanned), in the order
        // of the scans: the rows are numbered as they were written, and each has one more package than the last.
        assertThat(history)
                .extracting(e -> Instant.ofEpochMilli(Math.round(e.path("Time").asDouble() * 1000)))
                .containsExactly(
                        first,
                        first.plus(SCAN_INTERVAL),
                        first.plus(SCAN_INTERVAL.multipliedBy(2)),
                        first.plus(SCAN_INTERVAL.multipliedBy(3)));
        assertThat(history)
                .extracting(e -> e.path("InstalledOtherCount").asInt())
                .containsExactly(2, 3, 4, 5);
        assertThat(ssm.describeInstancePatchStates(b -> b.instanceIds(instanceId))
                        .instancePatchStates()
                        .getFirst()
                        .operationEndTime())
                .isEqualTo(first.plus(SCAN_INTERVAL.multipliedBy(3)));
        assertThat(invocation(commandId).standardOutputContent()).contains("ran through the outage");

        // The heartbeats resumed: the instance is online again at the server's (moved) time.
        Instant back = clock.instant();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ssm.describeInstanceInformation().instanceInformationList().stream()
                        .filter(i -> i.instanceId().equals(instanceId))
                        .allMatch(i -> !i.lastPingDateTime().isBefore(back)));
    }

    private GetCommandInvocationResponse invocation(String commandId) {
        return ssm.getCommandInvocation(b -> b.commandId(commandId).instanceId(instanceId));
    }

    private List<JsonNode> history() throws Exception {
        List<JsonNode> entries = new ArrayList<>();
        admin.call("Patchtide.GetComplianceHistory", Map.of("InstanceId", instanceId))
                .path("Entries")
                .forEach(entries::add);
        return entries;
    }

    private void debianHost() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/apt/lists"));
        Files.writeString(root.resolve("var/lib/dpkg/arch-native"), "amd64\n");
        writeStatus();
    }

    private void install(String name) throws IOException {
        installed.add(name);
        writeStatus();
    }

    private void writeStatus() throws IOException {
        StringBuilder status = new StringBuilder();
        for (String name : installed) {
            status.append("Package: ")
                    .append(name)
                    .append("\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n\n");
        }
        Files.writeString(root.resolve("var/lib/dpkg/status"), status);
    }
}
