package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InstancePatchState;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchComplianceData;
import software.amazon.awssdk.services.ssm.model.PatchComplianceDataState;
import software.amazon.awssdk.services.ssm.model.PatchComplianceLevel;
import software.amazon.awssdk.services.ssm.model.PatchFilterKey;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class PatchStateTest {
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

    @Test
    void defaultDebianBaselineCountsOnlySecurityUpdatesAsMissing() throws Exception {
        JsonNode answer = report(List.of(
                patch("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "optional", "utils"),
                patch("tzdata", "2024a-0+deb12u1", "2025b-0+deb12u1", false, "required", "localization")));
        assertThat(answer.path("ComplianceStatus").asText()).isEqualTo("NON_COMPLIANT");

        InstancePatchState state = ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
        assertThat(state.missingCount()).isEqualTo(1);
        assertThat(state.securityNonCompliantCount()).isEqualTo(1);
        assertThat(state.availableSecurityUpdateCount()).isEqualTo(1);
        assertThat(state.installedOtherCount()).isEqualTo(700);
        assertThat(state.baselineId())
                .isEqualTo(ssm.getPatchBaselineForPatchGroup(
                                b -> b.patchGroup("none").operatingSystem(OperatingSystem.DEBIAN))
                        .baselineId());
        assertThat(state.operationAsString()).isEqualTo("Scan");
        assertThat(state.snapshotId()).isNotBlank();

        List<PatchComplianceData> patches = ssm.describeInstancePatches(b -> b.instanceId(agent.instanceId()))
                .patches();
        assertThat(patches).singleElement().satisfies(p -> {
            assertThat(p.title()).isEqualTo("openssl");
            assertThat(p.kbId()).isEqualTo("openssl.amd64:3.0.15-1~deb12u1");
            assertThat(p.state()).isEqualTo(PatchComplianceDataState.MISSING);
        });
    }

    @Test
    void patchGroupBaselineThatApprovesEverythingListsEveryUpdate() throws Exception {
        String everything = ssm.createPatchBaseline(b -> b.name("everything")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .enableNonSecurity(true)
                                .complianceLevel(PatchComplianceLevel.CRITICAL)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(PatchFilterKey.PRODUCT).values("*"))))))
                .baselineId();
        ssm.registerPatchBaselineForPatchGroup(b -> b.baselineId(everything).patchGroup("web"));
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(agent.instanceId())
                .tags(Tag.builder().key("Patch Group").value("web").build()));

        report(List.of(
                patch("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "optional", "utils"),
                patch("tzdata", "2024a-0+deb12u1", "2025b-0+deb12u1", false, "required", "localization")));

        InstancePatchState state = ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
        assertThat(state.patchGroup()).isEqualTo("web");
        assertThat(state.baselineId()).isEqualTo(everything);
        assertThat(state.criticalNonCompliantCount()).isEqualTo(2);
        assertThat(ssm.describeInstancePatches(b -> b.instanceId(agent.instanceId()))
                        .patches())
                .extracting(PatchComplianceData::title)
                .containsExactly("openssl", "tzdata");
        assertThat(ssm.describeInstancePatches(b -> b.instanceId(agent.instanceId())
                                .filters(f -> f.key("Severity").values("required")))
                        .patches())
                .extracting(PatchComplianceData::title)
                .containsExactly("tzdata");

        report(List.of());
        assertThat(ssm.describeInstancePatches(b -> b.instanceId(agent.instanceId()))
                        .patches())
                .isEmpty();
    }

    @Test
    void complianceReportHasTheShapeOfPatchManagerExports() throws Exception {
        report(List.of(
                patch("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "optional", "utils"),
                patch("tzdata", "2024a-0+deb12u1", "2025b-0+deb12u1", false, "required", "localization")));
        dev.patchtide.agent.ApiClient admin = new dev.patchtide.agent.ApiClient(
                server.endpoint(),
                TestServer.REGION,
                java.util.Optional.of(new dev.patchtide.core.auth.SigV4Credentials(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())),
                java.time.InstantSource.system());

        JsonNode r = admin.call("Patchtide.GetComplianceReport", Map.of("ResourceId", agent.instanceId()));

        assertThat(r.path("ComplianceType").asText()).isEqualTo("Patch");
        assertThat(r.path("ResourceType").asText()).isEqualTo("ManagedInstance");
        assertThat(r.path("ResourceId").asText()).isEqualTo(agent.instanceId());
        assertThat(r.path("Status").asText()).isEqualTo("NON_COMPLIANT");
        assertThat(r.path("OverallSeverity").asText()).isEqualTo("UNSPECIFIED");
        assertThat(r.path("ExecutionSummary").path("ExecutionType").asText()).isEqualTo("Command");
        assertThat(r.path("CompliantSummary").path("CompliantCount").asInt()).isEqualTo(700);
        assertThat(r.path("NonCompliantSummary").path("NonCompliantCount").asInt())
                .isEqualTo(1);
        assertThat(r.path("NonCompliantSummary")
                        .path("SeveritySummary")
                        .path("UnspecifiedCount")
                        .asInt())
                .isEqualTo(1);
        JsonNode missing = r.path("MissingPatches").get(0);
        assertThat(missing.path("Id").asText()).isEqualTo("openssl.amd64:3.0.15-1~deb12u1");
        assertThat(missing.path("Title").asText()).isEqualTo("openssl");
        assertThat(missing.path("Details").path("PatchState").asText()).isEqualTo("Missing");
        assertThat(missing.path("Details").path("PatchBaselineId").asText()).startsWith("pb-");
        assertThat(missing.path("Details").path("PatchGroup").asText()).isEmpty();
        assertThat(r.path("Account").asText()).isEqualTo("123456789012");
        assertThat(r.has("Name")).isTrue();

        assertThatThrownBy(
                        () -> admin.call("Patchtide.GetComplianceReport", Map.of("ResourceId", "mi-00000000000000000")))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.code()).isEqualTo("InvalidResourceId"));
    }

    @Test
    void malformedReportIsRefusedAndTheEarlierStateStays() throws Exception {
        report(List.of(patch("openssl", "1", "2", true, "optional", "utils")));
        Map<String, Object> bad = patch("curl", "1", "2", true, "optional", "web");
        bad.put("ReleaseDate", "2026-13-45");
        assertThatThrownBy(() -> report(List.of(patch("zip", "1", "2", true, "optional", "utils"), bad)))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains("patches.2.member.releaseDate");
                });
        assertThat(ssm.describeInstancePatches(b -> b.instanceId(agent.instanceId()))
                        .patches())
                .extracting(PatchComplianceData::title)
                .containsExactly("openssl");
    }

    @Test
    void anUnchangedReportOnlyMovesTheScanTimes() throws Exception {
        List<Map<String, Object>> patches =
                List.of(patch("openssl", "3.0.11-1~deb12u2", "3.0.15-1~deb12u1", true, "optional", "utils"));
        Instant first = Instant.parse("2026-11-23T01:00:00Z");
        String snapshot = report(patches, first).path("SnapshotId").asText();
        String rows = patchRowVersions();

        Instant second = first.plusSeconds(600);
        JsonNode again = report(patches, second);
        assertThat(again.path("SnapshotId").asText()).isEqualTo(snapshot);
        assertThat(again.path("ComplianceStatus").asText()).isEqualTo("NON_COMPLIANT");
        assertThat(again.path("MissingCount").asInt()).isEqualTo(1);
        assertThat(patchRowVersions()).isEqualTo(rows);
        assertThat(historyRows()).isEqualTo(1);
        InstancePatchState state = ssm.describeInstancePatchStates(b -> b.instanceIds(agent.instanceId()))
                .instancePatchStates()
                .getFirst();
        assertThat(state.operationEndTime()).isEqualTo(second);
        assertThat(state.snapshotId()).isEqualTo(snapshot);

        // Any baseline change may change the judgement: the next report is judged afresh.
        ssm.createPatchBaseline(b -> b.name("unrelated").operatingSystem(OperatingSystem.UBUNTU));
        String afterBaselineChange =
                report(patches, second.plusSeconds(600)).path("SnapshotId").asText();
        assertThat(afterBaselineChange).isNotEqualTo(snapshot);
        // So is a report whose updates differ, and one from another day (approval delays count in days).
        String changed = report(
                        List.of(patch("openssl", "3.0.11-1~deb12u2", "3.0.16-1~deb12u1", true, "optional", "utils")),
                        second.plusSeconds(1200))
                .path("SnapshotId")
                .asText();
        assertThat(changed).isNotEqualTo(afterBaselineChange);
        assertThat(report(patches, second.plusSeconds(86_400))
                        .path("SnapshotId")
                        .asText())
                .isNotEqualTo(changed);
    }

    private String patchRowVersions() {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT string_agg(kb_id || '@' || xmin::text, ',' ORDER BY kb_id) FROM instance_patches")
                .mapTo(String.class)
                .one());
    }

    private int historyRows() {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM instance_compliance_history")
                .mapTo(Integer.class)
                .one());
    }

    private JsonNode report(List<Map<String, Object>> patches) throws Exception {
        return report(patches, Instant.now());
    }

    private JsonNode report(List<Map<String, Object>> patches, Instant end) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("InstanceId", agent.instanceId());
        body.put("OperatingSystem", "DEBIAN");
        body.put("OperationStartTime", end.getEpochSecond() - 5);
        body.put("OperationEndTime", end.getEpochSecond());
        body.put("InstalledCount", 700);
        body.put("RebootRequired", false);
        body.put("Patches", patches);
        return agent.client().call("Patchtide.PutPatchScanReport", body);
    }

    private static Map<String, Object> patch(
            String name, String installed, String available, boolean security, String priority, String section) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("Name", name);
        p.put("Arch", "amd64");
        p.put("InstalledVersion", installed);
        p.put("AvailableVersion", available);
        p.put("Product", "Debian12");
        p.put("Priority", priority);
        p.put("Section", section);
        p.put("Security", security);
        p.put("CVEIds", List.of());
        return p;
    }
}
