package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportResult;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/**
 * A report that changes nothing but its times takes no lock before its UPDATE, and that UPDATE checks the row
 * again: a row changed between the read and the UPDATE sends the report the locked way, which judges it again.
 */
class UnchangedReportsTest {
    TestServer server;
    Jdbi jdbi;
    ScanIngest ingest;
    FakeAgent agent;

    @BeforeEach
    void start() throws Exception {
        MutableClock clock = MutableClock.ofNow();
        server = TestServer.start(clock);
        jdbi = server.database().jdbi();
        BaselineStore baselines = new BaselineStore(jdbi, ApiJson.mapper());
        ingest = new ScanIngest(
                baselines,
                new InventoryStore(),
                new PatchEvaluation(baselines, new ComplianceStateListener() {
                    @Override
                    public void complianceChanged(Handle h, Change change) {}

                    @Override
                    public void outcomesChanged(Handle h, Instant time, List<Outcome> changed) {}
                }),
                clock);
        CreateActivationResponse activation =
                server.ssm().createActivation(x -> x.iamRole("r").registrationLimit(1));
        agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ScanReport image(Instant when) {
        return new ScanReport()
                .at(when)
                .installed("bash", "5.2.15-2+b7")
                .update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "Important");
    }

    private PutPatchScanReportResult store(ScanReport report) {
        PutPatchScanReportRequest q =
                ApiJson.mapper().convertValue(report.body(agent.instanceId()), PutPatchScanReportRequest.class);
        return jdbi.inTransaction(h -> ingest.storeAll(h, List.of(q)))
                .getFirst()
                .result();
    }

    private CompletableFuture<PutPatchScanReportResult> storeElsewhere(ScanReport report) {
        return CompletableFuture.supplyAsync(() -> store(report));
    }

    @Test
    void anUnchangedReportIsStoredWhileItsInstanceRowIsLocked() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        PutPatchScanReportResult first = store(image(t));
        Instant later = t.plusSeconds(3600);

        try (Handle other = jdbi.open()) {
            other.begin();
            // What a ping-status detection holds (FOR SHARE) or another writer of the instance (FOR UPDATE).
            other.createQuery("SELECT instance_id FROM managed_instances WHERE instance_id = :id FOR UPDATE")
                    .bind("id", agent.instanceId())
                    .mapTo(String.class)
                    .one();

            PutPatchScanReportResult again = storeElsewhere(
                            image(later).hashOnly().patchesByHash(first.patchesHash()))
                    .get(30, TimeUnit.SECONDS);

            assertThat(again.snapshotId()).isEqualTo(first.snapshotId());
            assertThat(again.missingCount()).isEqualTo(first.missingCount());
            assertThat(again.complianceStatus()).isEqualTo(first.complianceStatus());
            assertThat(again.baselineId()).isEqualTo(first.baselineId());
            assertThat(again.patchesHash()).isEqualTo(first.patchesHash());
            assertThat(again.inventoryStored()).isFalse();
            other.rollback();
        }
        assertThat(endTime()).isEqualTo(later);
    }

    @Test
    void aRowMarkedForReEvaluationMeanwhileIsJudgedAgain() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        PutPatchScanReportResult first = store(image(t));
        Instant later = t.plusSeconds(3600);

        CompletableFuture<PutPatchScanReportResult> report;
        try (Handle other = jdbi.open()) {
            other.begin();
            // A baseline change marks the row; the report reads the row as committed before, finds it unchanged,
            // and its UPDATE waits for this transaction.
            ReEvaluation.markInstance(other, agent.instanceId());
            report = storeElsewhere(image(later).hashOnly().patchesByHash(first.patchesHash()));
            awaitUpdateWaiting();
            other.commit();
        }
        PutPatchScanReportResult again = report.get(30, TimeUnit.SECONDS);

        assertThat(again.snapshotId()).as("judged again").isNotEqualTo(first.snapshotId());
        assertThat(again.missingCount()).isEqualTo(first.missingCount());
        assertThat(endTime()).isEqualTo(later);
        boolean marked = jdbi.withHandle(
                h -> h.createQuery("SELECT needs_evaluation FROM instance_patch_states WHERE instance_id = :id")
                        .bind("id", agent.instanceId())
                        .mapTo(Boolean.class)
                        .one());
        assertThat(marked).isFalse();
    }

    @Test
    void aNewerStoredScanIsNotMovedBack() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        PutPatchScanReportResult first = store(image(t));

        PutPatchScanReportResult older =
                store(image(t.minusSeconds(60)).hashOnly().patchesByHash(first.patchesHash()));

        assertThat(older.snapshotId()).isEqualTo(first.snapshotId());
        assertThat(older.patchesHash()).as("history, not the present").isNull();
        assertThat(endTime()).isEqualTo(t);
    }

    /** Until the report's UPDATE waits for a lock (seen in pg_stat_activity). */
    private void awaitUpdateWaiting() {
        await().alias("the report's UPDATE waits for the marked row")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> jdbi.withHandle(h -> h.createQuery("SELECT count(*) > 0 FROM pg_stat_activity"
                                + " WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE instance_patch_states s SET"
                                + " operation_start_time%'")
                        .mapTo(Boolean.class)
                        .one()));
    }

    private Instant endTime() {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT operation_end_time FROM instance_patch_states WHERE instance_id = :id")
                        .bind("id", agent.instanceId())
                        .mapTo(Instant.class)
                        .one());
    }
}
