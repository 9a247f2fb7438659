package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.PatchOperationType;
import software.amazon.awssdk.services.ssm.model.RebootOption;

/** A scan report names the operation behind it; DescribeInstancePatchStates shows it as AWS does. */
class PatchOperationStateTest {
    TestServer server;
    SsmClient ssm;
    FakeAgent agent;

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

    private void send(ScanReport report, Map<String, Object> operation) throws Exception {
        Map<String, Object> body = report.body(agent.instanceId());
        body.putAll(operation);
        agent.client().call("Patchtide.PutPatchScanReport", body);
    }

    private InstancePatchState state() {
        return ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
    }

    @Test
    void installWithNoRebootIsShownWithItsTimesAndPendingReboot() throws Exception {
        Instant installed = Instant.parse("2026-11-30T10:00:00Z");
        String snapshot = "0b3e3f4c-8d49-4e1a-9c3e-2f1d5a6b7c8d";
        send(
                new ScanReport()
                        .installed("openssl", "3.0.15-1~deb12u1")
                        .pendingReboot("openssl")
                        .at(installed),
                Map.of(
                        "Operation", "Install",
                        "RebootOption", "NoReboot",
                        "SnapshotId", snapshot,
                        "InstallOverrideList", "https://example.net/patches.yaml"));

        InstancePatchState state = state();
        assertThat(state.operation()).isEqualTo(PatchOperationType.INSTALL);
        assertThat(state.rebootOption()).isEqualTo(RebootOption.NO_REBOOT);
        assertThat(state.snapshotId()).isEqualTo(snapshot);
        assertThat(state.installOverrideList()).isEqualTo("https://example.net/patches.yaml");
        assertThat(state.operationStartTime()).isEqualTo(installed);
        assertThat(state.operationEndTime()).isEqualTo(installed);
        assertThat(state.lastNoRebootInstallOperationTime()).isEqualTo(installed);
        assertThat(state.installedPendingRebootCount()).isEqualTo(1);

        // The next periodic scan (no operation named) after the reboot: a Scan; the NoReboot install's time stays.
        Instant scanned = installed.plusSeconds(3600);
        send(new ScanReport().installed("openssl", "3.0.15-1~deb12u1").at(scanned), Map.of());
        InstancePatchState after = state();
        assertThat(after.operation()).isEqualTo(PatchOperationType.SCAN);
        assertThat(after.rebootOption()).isNull();
        assertThat(after.installOverrideList()).isNull();
        assertThat(after.snapshotId()).isNotBlank().isNotEqualTo(snapshot);
        assertThat(after.operationEndTime()).isEqualTo(scanned);
        assertThat(after.lastNoRebootInstallOperationTime()).isEqualTo(installed);
        assertThat(after.installedPendingRebootCount()).isZero();
    }

    @Test
    void anUnchangedReportStillRecordsItsOperation() throws Exception {
        ScanReport same = new ScanReport().update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "optional");
        send(same, Map.of());
        assertThat(state().operation()).isEqualTo(PatchOperationType.SCAN);

        send(same, Map.of("Operation", "Install", "RebootOption", "RebootIfNeeded"));

        InstancePatchState state = state();
        assertThat(state.operation()).isEqualTo(PatchOperationType.INSTALL);
        assertThat(state.rebootOption()).isEqualTo(RebootOption.REBOOT_IF_NEEDED);
        assertThat(state.lastNoRebootInstallOperationTime()).isNull();
    }

    @Test
    void anUnknownOperationOrRebootOptionIsRefusedNamingTheMember() throws Exception {
        assertThatThrownBy(() -> send(new ScanReport(), Map.of("Operation", "Upgrade", "RebootOption", "Always")))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains("'operation'").contains("'rebootOption'");
                });
    }
}
