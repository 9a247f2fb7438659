package dev.patchtide.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.Agent;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.DebianHostTree;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.install.RunPatchBaseline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's wiring: its loop runs the command channel, and a plugin's patch scans carry the operation. */
class AgentCommandsTest {
    private static final Instant START = Instant.parse("2026-12-02T07:00:00Z");
    private static final Instant END = Instant.parse("2026-12-02T07:05:00Z");

    @TempDir
    Path state;

    @TempDir
    Path root;

    private FakeCommandServer server;
    private Agent agent;

    @BeforeEach
    void setUp() throws IOException {
        server = new FakeCommandServer();
        DebianHostTree.write(root, DebianHostTree.ONE_PACKAGE);
    }

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        server.close();
    }

    @Test
    void theAgentRunsTheCommandsItReceivesAndAPatchOperationsScanReportNamesIt() throws Exception {
        agent = agent().plugin(new InstallLike());
        agent.start();

        server.send(server.invocation("c-patch", 600, server.step("patch", InstallLike.ACTION)));
        JsonNode result = await().atMost(Duration.ofSeconds(30))
                .until(() -> server.finalUpdate("c-patch"), Optional::isPresent)
                .orElseThrow();

        assertThat(result.path("Status").asText()).isEqualTo("Success");
        assertThat(result.path("StandardOutputContent").asText()).isEqualTo("COMPLIANT\n");
        assertThat(server.scanReports).hasSize(1);
        JsonNode report = server.scanReports.getFirst();
        assertThat(report.path("InstanceId").asText()).isEqualTo(FakeCommandServer.INSTANCE);
        assertThat(report.path("Operation").asText()).isEqualTo("Install");
        assertThat(report.path("OperationStartTime").asLong()).isEqualTo(START.getEpochSecond());
        assertThat(report.path("OperationEndTime").asLong()).isEqualTo(END.getEpochSecond());
        assertThat(report.path("RebootOption").asText()).isEqualTo("NoReboot");
        assertThat(report.path("SnapshotId").asText()).isEqualTo("snap-1");
        assertThat(report.has("InstallOverrideList")).isFalse();
        assertThat(report.path("InventoryHash").isTextual()).isTrue();
    }

    @Test
    void aScanThroughAwsRunPatchBaselinesStepReportsOperationScan() throws Exception {
        agent = agent().plugin(new RunPatchBaseline());
        agent.start();
        ObjectNode step = server.step("PatchLinux", RunPatchBaseline.ACTION);
        ((ObjectNode) step.get("Inputs"))
                .put("Operation", "Scan")
                .put("SnapshotId", "")
                .put("RebootOption", "NoReboot")
                .put("InstallOverrideList", "")
                .put("BaselineOverride", "")
                .putArray("ExcludePatches");

        server.send(server.invocation("c-scan", 600, step));
        JsonNode result = await().atMost(Duration.ofSeconds(60))
                .until(() -> server.finalUpdate("c-scan"), Optional::isPresent)
                .orElseThrow();

        assertThat(result.path("Status").asText()).as(result.toString()).isEqualTo("Success");
        assertThat(server.scanReports).hasSize(1);
        assertThat(server.scanReports.getFirst().path("Operation").asText()).isEqualTo("Scan");
        assertThat(server.scanReports.getFirst().path("RebootOption").asText()).isEqualTo("NoReboot");
    }

    private Agent agent() {
        Registration registration = new Registration(
                server.client("AKIDAGENT").endpoint().toString(),
                "us-east-1",
                FakeCommandServer.INSTANCE,
                "AKIDAGENT",
                "secret",
                300,
                START);
        return new Agent(
                        registration,
                        state,
                        Duration.ofMinutes(5),
                        Duration.ZERO,
                        root,
                        () -> new HostFacts("host", List.of("10.0.0.1"), "Linux", "Debian GNU/Linux", "12"),
                        Clock.systemUTC())
                .rebootAction(() -> {})
                .commands(true, new CommandRunner.Settings(1, Duration.ofMillis(300), 8192, 10, Duration.ofDays(1)));
    }

    /** Stands in for the install plugin: reports the scan that follows an install. */
    static final class InstallLike implements Plugin {
        static final String ACTION = "test:install";

        @Override
        public String action() {
            return ACTION;
        }

        @Override
        public StepResult run(StepContext context) {
            try {
                JsonNode verdict = context.scans()
                        .scanAndReport(new PatchScans.PatchOperation(
                                "Install", START, END, "NoReboot", Optional.of("snap-1"), Optional.empty()));
                context.stdout()
                        .write((verdict.path("ComplianceStatus").asText() + "\n").getBytes(StandardCharsets.UTF_8));
                return StepResult.success();
            } catch (IOException | ApiCallException e) {
                return StepResult.failed(1);
            }
        }
    }
}
