package dev.patchtide.server.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.patching.ComplianceStateListener;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.Settled;
import dev.patchtide.server.testing.TestDatabases;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowTaskType;
import software.amazon.awssdk.services.ssm.model.Target;

/**
 * End to end with the real commands feature: two server nodes on one database, a Europe/Paris cron window
 * across the spring-forward change, an agent that long-polls for its invocation and reports it.
 */
class WindowsEndToEndTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-27T12:00:00Z"));
    private final DatabaseSettings settings = TestDatabases.fresh();
    private final List<PatchtideServer> nodes = new ArrayList<>();
    private final List<Database> databases = new ArrayList<>();
    private SsmClient ssm;
    private FakeAgent agent;

    @BeforeEach
    void start() throws Exception {
        AccessKeyStore.IssuedKey admin = null;
        for (int i = 0; i < 2; i++) {
            Database database = Database.connect(settings);
            databases.add(database);
            PatchtideServer node = PatchtideServer.start(
                    new ServerConfig(
                            "127.0.0.1",
                            0,
                            TestServer.REGION,
                            ServerConfig.DEFAULT_ACCOUNT,
                            PingStatusPolicy.defaults()),
                    database,
                    clock,
                    ComplianceStateListener.NONE);
            nodes.add(node);
            if (admin == null) {
                admin = node.accessKeys()
                        .createAdminKey("test", InstantSource.system().instant());
            }
        }
        ssm = SsmClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + nodes.get(0).port()))
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))
                .build();
        var activation = ssm.createActivation(b -> b.iamRole("r").registrationLimit(1));
        // The agent speaks to the second node: the window may fire on either.
        agent = FakeAgent.register(
                URI.create("http://127.0.0.1:" + nodes.get(1).port()),
                activation.activationId(),
                activation.activationCode());
    }

    @AfterEach
    void stop() {
        ssm.close();
        nodes.forEach(PatchtideServer::close);
        databases.forEach(Database::close);
    }

    private void moveTo(String instant) {
        clock.advance(Duration.between(clock.instant(), Instant.parse(instant)));
        nodes.forEach(n -> n.windows().loop().wake());
    }

    /** Waits until every node's window loop ran a whole round on the current clock. */
    private void windowRounds() {
        for (PatchtideServer n : nodes) {
            Settled.wholeRound(
                    "maintenance windows",
                    () -> n.windows().loop().completedRounds(),
                    n.windows().loop()::wake);
        }
    }

    private List<String> executions(String windowId) {
        return ssm.describeMaintenanceWindowExecutions(b -> b.windowId(windowId)).windowExecutions().stream()
                .map(e -> e.windowExecutionId() + " " + e.statusAsString())
                .toList();
    }

    private JsonNode receive() throws Exception {
        return agent.client()
                .call(
                        "Patchtide.ReceiveCommandInvocations",
                        Map.of("InstanceId", agent.instanceId(), "WaitTimeSeconds", 1));
    }

    private void report(String commandId, String status) throws Exception {
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("CommandId", commandId);
        update.put("InstanceId", agent.instanceId());
        update.put("Status", status);
        update.put("ResponseCode", status.equals("Success") ? 0 : 1);
        update.put("StandardOutputContent", "patched\n");
        update.put("StandardErrorContent", "");
        agent.client().call("Patchtide.UpdateCommandInvocation", update);
    }

    private String windowWithTask(String name, String cutoffBehavior) {
        String id = ssm.createMaintenanceWindow(b -> b.name(name)
                        .schedule("cron(30 2 ? * * *)")
                        .scheduleTimezone("Europe/Paris")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(false))
                .windowId();
        String target = ssm.registerTargetWithMaintenanceWindow(b -> b.windowId(id)
                        .resourceType("INSTANCE")
                        .targets(Target.builder()
                                .key("InstanceIds")
                                .values(agent.instanceId())
                                .build()))
                .windowTargetId();
        ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                .taskType(MaintenanceWindowTaskType.RUN_COMMAND)
                .taskArn("AWS-RunShellScript")
                .targets(Target.builder().key("WindowTargetIds").values(target).build())
                .maxConcurrency("1")
                .maxErrors("0")
                .cutoffBehavior(cutoffBehavior)
                .taskInvocationParameters(
                        p -> p.runCommand(rc -> rc.parameters(Map.of("commands", List.of("echo patched"))))));
        return id;
    }

    @Test
    void aParisWindowFiresOnceAtTheRightInstantsAndFollowsItsCommand() throws Exception {
        String id = windowWithTask("paris-e2e", "CONTINUE_TASK");
        moveTo("2026-03-28T01:29:00Z");
        windowRounds();
        assertThat(executions(id)).isEmpty();

        moveTo("2026-03-28T01:30:00Z");
        await().atMost(Duration.ofSeconds(20)).until(() -> executions(id).size() == 1);
        JsonNode received = receive();
        assertThat(received.path("Invocations")).hasSize(1);
        String commandId = received.path("Invocations").get(0).path("CommandId").asText();
        report(commandId, "InProgress");
        report(commandId, "Success");
        await().atMost(Duration.ofSeconds(20)).until(() -> executions(id).get(0).endsWith("SUCCESS"));
        windowRounds();
        assertThat(executions(id)).hasSize(1);

        // No 02:30 on Sunday 29 March in Paris; Monday's 02:30 is summer time, 00:30 UTC.
        moveTo("2026-03-29T01:30:00Z");
        windowRounds();
        assertThat(executions(id)).hasSize(1);
        moveTo("2026-03-30T00:30:00Z");
        await().atMost(Duration.ofSeconds(20)).until(() -> executions(id).size() == 2);
    }

    @Test
    void cancelTaskCancelsTheRunningCommandAtTheCutoffAndAnOutageFiresNothingLate() throws Exception {
        String id = windowWithTask("cutoff-e2e", "CANCEL_TASK");
        moveTo("2026-03-28T01:30:00Z");
        await().atMost(Duration.ofSeconds(20)).until(() -> executions(id).size() == 1);
        String commandId =
                receive().path("Invocations").get(0).path("CommandId").asText();
        report(commandId, "InProgress");

        moveTo("2026-03-28T02:30:00Z"); // the cutoff: one hour before the end of the two-hour window
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> ssm.listCommands(b -> b.commandId(commandId))
                                .commands()
                                .get(0)
                                .statusAsString(),
                        s -> s.equals("Cancelling") || s.equals("Cancelled"));
        JsonNode cancellations = receive().path("Cancellations");
        assertThat(cancellations.toString()).contains(commandId);
        report(commandId, "Cancelled");
        await().atMost(Duration.ofSeconds(20)).until(() -> executions(id).get(0).endsWith("CANCELLED"));

        // The servers are away from before the next run until past its cutoff: nothing fires late.
        moveTo("2026-03-30T02:00:00Z");
        windowRounds();
        assertThat(executions(id)).hasSize(1);
    }
}
