package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.PatchComplianceData;
import software.amazon.awssdk.services.ssm.model.PatchComplianceDataState;

/**
 * Many reports stored by one call, as the scan writer does: each report gets its own answer, a refused one
 * changes nothing, two reports of one instance are applied in order, and what is stored is exactly what the
 * same report sent alone stores.
 */
class ScanBatchTest {
    TestServer server;
    SsmClient ssm;
    Jdbi jdbi;
    ScanIngest ingest;
    FakeAgent a;
    FakeAgent b;
    FakeAgent c;
    FakeAgent d;
    FakeAgent alone;
    /** What patching told the compliance feature, which keeps each as a history row. */
    final List<ComplianceStateListener.Outcome> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        MutableClock clock = MutableClock.ofNow();
        server = TestServer.start(clock);
        ssm = server.ssm();
        jdbi = server.database().jdbi();
        BaselineStore baselines = new BaselineStore(jdbi, ApiJson.mapper());
        ingest = new ScanIngest(
                baselines,
                new InventoryStore(),
                new PatchEvaluation(baselines, new ComplianceStateListener() {
                    @Override
                    public void complianceChanged(org.jdbi.v3.core.Handle h, Change change) {}

                    @Override
                    public void outcomesChanged(org.jdbi.v3.core.Handle h, Instant time, List<Outcome> changed) {
                        outcomes.addAll(changed);
                    }
                }),
                clock);
        CreateActivationResponse activation =
                ssm.createActivation(x -> x.iamRole("r").registrationLimit(10));
        a = register(activation);
        b = register(activation);
        c = register(activation);
        d = register(activation);
        alone = register(activation);
    }

    private FakeAgent register(CreateActivationResponse activation) throws Exception {
        return FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ScanReport image(Instant when) {
        return new ScanReport()
                .at(when)
                .installed("bash", "5.2.15-2+b7")
                .installed("coreutils", "9.1-1")
                .update("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "Important")
                .update("curl", "7.88.1-10", "7.88.1-10+deb12u8", true, "Optional")
                .update("vim", "2:9.0.1378-2", "2:9.0.1378-3", false, "Optional");
    }

    private static PutPatchScanReportRequest request(ScanReport report, FakeAgent agent) {
        return request(report, agent.instanceId());
    }

    private static PutPatchScanReportRequest request(ScanReport report, String instanceId) {
        return ApiJson.mapper().convertValue(report.body(instanceId), PutPatchScanReportRequest.class);
    }

    @Test
    void aBatchAnswersEachReportAndStoresWhatSingleReportsStore() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        ScanReport unknownInventory =
                new ScanReport().at(t).installed("zsh", "5.9-4").hashOnly();
        ScanReport fixedOpenssl = new ScanReport()
                .at(t.plusSeconds(60))
                .installed("bash", "5.2.15-2+b7")
                .installed("openssl", "3.0.15-1~deb12u1");
        List<PutPatchScanReportRequest> batch = List.of(
                request(image(t), a),
                request(unknownInventory, b),
                request(image(t), c),
                request(new ScanReport().at(t).installed("zsh", "5.9-4"), "mi-0123456789abcdef0"),
                request(image(t).hashOnly(), d),
                request(fixedOpenssl, c));

        List<ScanWriter.Answer> answers = jdbi.inTransaction(h -> ingest.storeAll(h, batch));

        assertThat(answers).hasSize(6);
        assertThat(answers.get(0)).isInstanceOf(ScanWriter.Stored.class);
        assertThat(((ScanWriter.Refused) answers.get(1)).reason().code()).isEqualTo("InventoryRequired");
        assertThat(((ScanWriter.Refused) answers.get(3)).reason().code()).isEqualTo("InvalidInstanceId");
        // d names by hash the inventory a sends in the same batch.
        assertThat(answers.get(4).result().missingCount()).isEqualTo(2);
        assertThat(answers.get(2).result().missingCount()).isEqualTo(2);
        // c's second report of the batch is applied after its first: the later scan stands.
        assertThat(answers.get(5).result().complianceStatus()).isEqualTo("COMPLIANT");
        assertThat(answers.get(5).result().snapshotId())
                .isNotEqualTo(answers.get(2).result().snapshotId());

        image(t).send(alone);
        assertThat(patches(a)).isEqualTo(patches(alone)).isEqualTo(patches(d)).hasSize(5);
        InstancePatchState stateA = state(a);
        InstancePatchState stateAlone = state(alone);
        assertThat(stateA.toBuilder().instanceId("-").snapshotId("-").build())
                .isEqualTo(
                        stateAlone.toBuilder().instanceId("-").snapshotId("-").build());
        assertThat(stateA.missingCount()).isEqualTo(2);
        assertThat(stateA.installedOtherCount()).isEqualTo(3);

        assertThat(ssm.describeInstancePatchStates(x -> x.instanceIds(b.instanceId()))
                        .instancePatchStates())
                .as("a refused report stores nothing")
                .isEmpty();
        assertThat(state(c).missingCount()).isZero();
        assertThat(patches(c))
                .extracting(PatchComplianceData::state)
                .doesNotContain(software.amazon.awssdk.services.ssm.model.PatchComplianceDataState.MISSING);
        assertThat(historyRows(c)).isEqualTo(2);
        assertThat(historyRows(a)).isEqualTo(1);
    }

    @Test
    void anUnchangedReportInABatchOnlyMovesItsTimes() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        jdbi.inTransaction(h -> ingest.storeAll(h, List.of(request(image(t), a), request(image(t), c))));
        String snapshot = state(a).snapshotId();
        Instant later = t.plusSeconds(3600);

        List<ScanWriter.Answer> answers = jdbi.inTransaction(h -> ingest.storeAll(
                h,
                List.of(
                        request(image(later).hashOnly(), a),
                        request(image(later).update("zlib1g", "1:1.2.13", "1:1.2.13.1", true, "Important"), c))));

        assertThat(answers.get(0).result().snapshotId()).isEqualTo(snapshot);
        assertThat(state(a).operationEndTime()).isEqualTo(later);
        assertThat(state(c).missingCount()).isEqualTo(3);
        assertThat(historyRows(a)).isEqualTo(1);
        assertThat(historyRows(c)).isEqualTo(2);
    }

    @Test
    void aRowWhoseVerdictChangesIsUpdatedInPlaceAndOthersStayAsTheyWere() throws Exception {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        image(t).send(a);
        List<PatchComplianceData> first = patches(a);
        image(t.plusSeconds(60)).failed("openssl").send(a);

        List<PatchComplianceData> second = patches(a);
        assertThat(second).hasSize(first.size());
        assertThat(second)
                .filteredOn(p -> p.title().equals("openssl"))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.state()).isEqualTo(PatchComplianceDataState.FAILED);
                    assertThat(p.kbId())
                            .isEqualTo(first.stream()
                                    .filter(f -> f.title().equals("openssl"))
                                    .findFirst()
                                    .orElseThrow()
                                    .kbId());
                });
        assertThat(second)
                .filteredOn(p -> !p.title().equals("openssl"))
                .containsExactlyInAnyOrderElementsOf(
                        first.stream().filter(p -> !p.title().equals("openssl")).toList());
        assertThat(state(a).failedCount()).isEqualTo(1);
        assertThat(state(a).missingCount()).isEqualTo(1);
    }

    private List<PatchComplianceData> patches(FakeAgent agent) {
        return ssm.describeInstancePatches(x -> x.instanceId(agent.instanceId()))
                .patches();
    }

    private InstancePatchState state(FakeAgent agent) {
        return ssm.describeInstancePatchStates(x -> x.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
    }

    private int historyRows(FakeAgent agent) {
        return (int) outcomes.stream()
                .filter(o -> o.instanceId().equals(agent.instanceId()))
                .count();
    }
}
