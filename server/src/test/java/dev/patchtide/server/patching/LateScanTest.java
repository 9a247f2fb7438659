package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;

/**
 * Reports an agent kept while the server was away arrive late: each is filed at the time its scan was taken
 * (OperationEndTime), and one older than the scan the server holds does not replace it.
 */
class LateScanTest {
    final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    final Instant now = clock.instant();
    TestServer server;
    SsmClient ssm;
    ApiClient admin;
    FakeAgent agent;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(clock);
        ssm = server.ssm();
        admin = server.adminClient();
        var activation = ssm.createActivation(b -> b.iamRole("r"));
        agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static ScanReport missingOpenssl() {
        return new ScanReport()
                .installed("bash", "5.2.15-2+b7")
                .update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "Important");
    }

    static ScanReport upToDate() {
        return new ScanReport().installed("bash", "5.2.15-2+b7").installed("openssl", "3.0.15-1~deb12u1");
    }

    @Test
    void lateReportsAreFiledAtTheTimeTheirScansWereTaken() throws Exception {
        Instant first = now.minus(Duration.ofHours(2));
        Instant second = now.minus(Duration.ofHours(1));

        missingOpenssl().at(first).send(agent);
        upToDate().at(second).send(agent);

        assertThat(history()).containsExactly(Map.entry(first, "NON_COMPLIANT"), Map.entry(second, "COMPLIANT"));
        assertThat(state().operationEndTime()).isEqualTo(second);
        assertThat(ssm.listComplianceItems(
                                b -> b.resourceIds(agent.instanceId()).resourceTypes("ManagedInstance"))
                        .complianceItems()
                        .getFirst()
                        .executionSummary()
                        .executionTime())
                .isEqualTo(second);
    }

    @Test
    void aReportOlderThanTheStoredScanDoesNotReplaceIt() throws Exception {
        Instant newer = now.minus(Duration.ofHours(1));
        upToDate().at(newer).send(agent);
        String snapshot = state().snapshotId();

        JsonNode answer = missingOpenssl().at(now.minus(Duration.ofHours(2))).send(agent);

        assertThat(answer.path("ComplianceStatus").asText()).isEqualTo("COMPLIANT");
        assertThat(answer.path("SnapshotId").asText()).isEqualTo(snapshot);
        assertThat(answer.has("PatchesHash") && !answer.path("PatchesHash").isNull())
                .as("no PatchesHash for a list the server did not keep")
                .isFalse();
        InstancePatchState state = state();
        assertThat(state.operationEndTime()).isEqualTo(newer);
        assertThat(state.missingCount()).isZero();
        assertThat(state.snapshotId()).isEqualTo(snapshot);
        assertThat(history()).containsExactly(Map.entry(newer, "COMPLIANT"));

        // the same scan again (a resend after a lost answer) is no older than itself: it is taken as before
        assertThat(upToDate().at(newer).send(agent).path("ComplianceStatus").asText())
                .isEqualTo("COMPLIANT");
    }

    @Test
    void aCaptureTimeAheadOfTheServersClockIsFiledAtTheServersTime() throws Exception {
        missingOpenssl().at(now.plus(Duration.ofMinutes(10))).send(agent);

        assertThat(history()).containsExactly(Map.entry(now, "NON_COMPLIANT"));
    }

    private InstancePatchState state() {
        return ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
    }

    private List<Map.Entry<Instant, String>> history() throws Exception {
        List<Map.Entry<Instant, String>> rows = new ArrayList<>();
        admin.call("Patchtide.GetComplianceHistory", Map.of("InstanceId", agent.instanceId()))
                .path("Entries")
                .forEach(e -> rows.add(Map.entry(
                        Instant.ofEpochMilli(Math.round(e.path("Time").asDouble() * 1000)),
                        e.path("ComplianceStatus").asText())));
        return rows;
    }
}
