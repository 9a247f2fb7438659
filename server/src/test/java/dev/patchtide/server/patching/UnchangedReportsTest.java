package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportResult;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchFilterKey;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * A report that changes nothing but its times takes no lock before its UPDATE, and that UPDATE checks the row
 * itself: a row that does not hold what the report's hash was computed against (changed meanwhile, or a stale
 * group or version this server saw) sends the report the locked way, which judges it again.
 */
class UnchangedReportsTest {
    TestServer server;
    Jdbi jdbi;
    ScanIngest ingest;
    FakeAgent agent;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        jdbi = server.database().jdbi();
        ingest = newIngest();
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
        return store(ingest, report, Map.of());
    }

    private PutPatchScanReportResult store(ScanIngest by, ScanReport report, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>(report.body(agent.instanceId()));
        body.putAll(extra);
        PutPatchScanReportRequest q = ApiJson.mapper().convertValue(body, PutPatchScanReportRequest.class);
        return jdbi.inTransaction(h -> by.storeAll(h, List.of(q))).getFirst().result();
    }

    private ScanIngest newIngest() {
        BaselineStore baselines = new BaselineStore(jdbi, ApiJson.mapper());
        return new ScanIngest(
                baselines,
                new InventoryStore(),
                new PatchEvaluation(baselines, new ComplianceStateListener() {
                    @Override
                    public void complianceChanged(Handle h, Change change) {}

                    @Override
                    public void outcomesChanged(Handle h, Instant time, List<Outcome> changed) {}
                }),
                MutableClock.ofNow());
    }

    /** Stores the report on another thread, so the caller can hold a lock meanwhile. */
    private CompletableFuture<PutPatchScanReportResult> storeElsewhere(ScanIngest by, ScanReport report) {
        return CompletableFuture.supplyAsync(() -> store(by, report, Map.of()));
    }

    /**
     * Begins a transaction on {@code other} that holds the instance's row FOR UPDATE, as another writer of the
     * instance would (a ping-status detection holds it FOR SHARE).
     */
    private void lockInstanceRow(Handle other) {
        other.begin();
        other.createQuery("SELECT instance_id FROM managed_instances WHERE instance_id = :id FOR UPDATE")
                .bind("id", agent.instanceId())
                .mapTo(String.class)
                .one();
    }

    @Test
    void anUnchangedReportIsStoredWhileItsInstanceRowIsLocked() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        PutPatchScanReportResult first = store(image(t));
        Instant later = t.plusSeconds(3600);

        try (Handle other = jdbi.open()) {
            lockInstanceRow(other);

            PutPatchScanReportResult again = storeElsewhere(
                            ingest, image(later).hashOnly().patchesByHash(first.patchesHash()))
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
            report = storeElsewhere(ingest, image(later).hashOnly().patchesByHash(first.patchesHash()));
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

    // Each guard of the one UPDATE, alone: the JVM no longer reads the row before it.

    @Test
    void aGroupChangedAfterItWasSeenIsJudgedAgainstTheNewGroupsBaseline() throws Exception {
        String web = webBaseline();
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        PutPatchScanReportResult first = store(image(t));
        assertThat(first.baselineId()).isNotEqualTo(web);
        // The group moves without a mark for re-evaluation (V21's trigger follows any tag write; only the tag
        // API marks): the instance's row alone tells that the group this server saw is stale.
        jdbi.useHandle(h -> h.execute(
                "UPDATE managed_instances SET patch_group = 'web' WHERE instance_id = ?", agent.instanceId()));

        PutPatchScanReportResult again =
                store(image(t.plusSeconds(3600)).hashOnly().patchesByHash(first.patchesHash()));

        assertThat(again.baselineId()).isEqualTo(web);
        assertThat(again.snapshotId()).as("judged again").isNotEqualTo(first.snapshotId());
    }

    @Test
    void aGroupTagSetAfterItWasSeenIsJudgedAgainstTheNewGroupsBaseline() throws Exception {
        String web = webBaseline();
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        PutPatchScanReportResult first = store(image(t));
        server.ssm().addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(agent.instanceId())
                .tags(Tag.builder().key("Patch Group").value("web").build()));

        PutPatchScanReportResult again =
                store(image(t.plusSeconds(3600)).hashOnly().patchesByHash(first.patchesHash()));

        assertThat(again.baselineId()).isEqualTo(web);
    }

    @Test
    void aDeregisteredInstanceIsRefused() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        PutPatchScanReportResult first = store(image(t));
        jdbi.useHandle(h -> h.execute(
                "UPDATE managed_instances SET deregistered_at = now() WHERE instance_id = ?", agent.instanceId()));

        assertThatThrownBy(() -> store(image(t.plusSeconds(3600)).hashOnly().patchesByHash(first.patchesHash())))
                .isInstanceOf(ApiException.NotFound.class)
                .hasMessageContaining("isn't valid");
        assertThat(endTime()).isEqualTo(t);
    }

    @Test
    void aRowMarkedForReEvaluationIsJudgedAgain() {
        assertAnUnchangedReportIsJudgedAgainAfter(h -> ReEvaluation.markInstance(h, agent.instanceId()));
    }

    @Test
    void aConfigurationChangeNotMarkingTheRowIsJudgedAgain() {
        // The version the hash was computed at is the server's last seen; the UPDATE checks it is still current.
        assertAnUnchangedReportIsJudgedAgainAfter(
                h -> h.execute("UPDATE baseline_config_version SET version = version + 1 WHERE id = 1"));
    }

    /** A report, {@code change} to the database, then the same report by hash an hour later: it gets a new snapshot. */
    private void assertAnUnchangedReportIsJudgedAgainAfter(Consumer<Handle> change) {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        PutPatchScanReportResult first = store(image(t));
        jdbi.useHandle(change::accept);

        PutPatchScanReportResult again =
                store(image(t.plusSeconds(3600)).hashOnly().patchesByHash(first.patchesHash()));

        assertThat(again.snapshotId()).as("judged again").isNotEqualTo(first.snapshotId());
    }

    @Test
    void aChangedOperationIsRecorded() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        PutPatchScanReportResult first = store(image(t));

        PutPatchScanReportResult again = store(
                ingest,
                image(t.plusSeconds(3600)).hashOnly().patchesByHash(first.patchesHash()),
                Map.of("Operation", "Install", "RebootOption", "RebootIfNeeded"));

        assertThat(again.snapshotId()).as("same outcome").isEqualTo(first.snapshotId());
        String operation = jdbi.withHandle(h -> h.createQuery(
                        "SELECT operation || '/' || reboot_option FROM instance_patch_states WHERE instance_id = :id")
                .bind("id", agent.instanceId())
                .mapTo(String.class)
                .one());
        assertThat(operation).isEqualTo("Install/RebootIfNeeded");
        assertThat(endTime()).isEqualTo(t.plusSeconds(3600));
    }

    @Test
    void aServerThatNeverSawTheInstanceAnswersWithoutALock() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        PutPatchScanReportResult first = store(image(t));
        ScanIngest started = newIngest(); // as after a restart: no group, version or baseline seen yet
        Instant later = t.plusSeconds(3600);

        try (Handle other = jdbi.open()) {
            lockInstanceRow(other);

            PutPatchScanReportResult again = storeElsewhere(
                            started, image(later).hashOnly().patchesByHash(first.patchesHash()))
                    .get(30, TimeUnit.SECONDS);

            assertThat(again.snapshotId()).isEqualTo(first.snapshotId());
            other.rollback();
        }
        assertThat(endTime()).isEqualTo(later);
    }

    @SuppressWarnings("unchecked") // the SDK's varargs of builder consumers
    private String webBaseline() {
        String web = server.ssm()
                .createPatchBaseline(b -> b.name("web")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .enableNonSecurity(true)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(PatchFilterKey.PRODUCT).values("*"))))))
                .baselineId();
        server.ssm().registerPatchBaselineForPatchGroup(b -> b.baselineId(web).patchGroup("web"));
        return web;
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
