package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.commands.PatchScans;
import dev.patchtide.agent.commands.StepContext;
import dev.patchtide.agent.commands.StepResult;
import dev.patchtide.agent.install.RunPatchBaseline;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.PatchOperationType;
import software.amazon.awssdk.services.ssm.model.RebootOption;

/**
 * The agent's patch step against the real server, over the instance's own key: its scan reports carry the
 * operation, and its install plan request (exclusions included) is one the server answers.
 */
class PatchBaselineStepTest {
    TestServer server;
    SsmClient ssm;
    FakeAgent agent;

    @TempDir
    Path root;

    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        ssm = server.ssm();
        CreateActivationResponse activation = ssm.createActivation(b -> b.iamRole("r"));
        agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Reports this host's (made-up) scan with the operation's members, as the runner's PatchScans does. */
    private PatchScans scans() {
        return operation -> {
            Map<String, Object> body = new ScanReport()
                    .update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "optional")
                    .body(agent.instanceId());
            body.put("Operation", operation.operation());
            body.put("OperationStartTime", operation.startTime().getEpochSecond());
            body.put("OperationEndTime", operation.endTime().getEpochSecond());
            body.put("RebootOption", operation.rebootOption());
            operation.snapshotId().ifPresent(id -> body.put("SnapshotId", id));
            operation.installOverrideList().ifPresent(url -> body.put("InstallOverrideList", url));
            return agent.client().call("Patchtide.PutPatchScanReport", body);
        };
    }

    private StepResult run(ObjectNode inputs) throws InterruptedException {
        StepContext context = new StepContext(
                "c-1",
                agent.instanceId(),
                "PatchLinux",
                inputs,
                Instant.now().plusSeconds(600),
                stdout,
                new ByteArrayOutputStream(),
                () -> false,
                plan -> StepResult.success(),
                agent.client(),
                root,
                scans());
        return new RunPatchBaseline().run(context);
    }

    private static ObjectNode inputs(String operation) {
        ObjectNode in = ApiJson.documents()
                .createObjectNode()
                .put("Operation", operation)
                .put("SnapshotId", "0b3e3f4c-8d49-4e1a-9c3e-2f1d5a6b7c8d")
                .put("RebootOption", "NoReboot")
                .put("InstallOverrideList", "")
                .put("BaselineOverride", "");
        in.putArray("ExcludePatches").add("openssl");
        return in;
    }

    @Test
    void installWithEverythingMissingExcludedReportsAnInstallThatInstalledNothing() throws Exception {
        StepResult result = run(inputs("Install"));

        String output = stdout.toString(StandardCharsets.UTF_8);
        assertThat(result).as(output).isEqualTo(StepResult.success());
        assertThat(output).contains("Excluded: openssl").contains("No approved patch is missing");
        InstancePatchState state = ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
        assertThat(state.operation()).isEqualTo(PatchOperationType.INSTALL);
        assertThat(state.rebootOption()).isEqualTo(RebootOption.NO_REBOOT);
        assertThat(state.snapshotId()).isEqualTo("0b3e3f4c-8d49-4e1a-9c3e-2f1d5a6b7c8d");
        assertThat(state.lastNoRebootInstallOperationTime()).isNotNull();
        assertThat(state.missingCount()).isEqualTo(1);
    }

    @Test
    void scanReportsAScan() throws Exception {
        assertThat(run(inputs("Scan"))).isEqualTo(StepResult.success());

        assertThat(ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                        .instancePatchStates()
                        .getFirst()
                        .operation())
                .isEqualTo(PatchOperationType.SCAN);
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("Scan reported: NON_COMPLIANT, 1 missing");
    }
}
