package dev.patchtide.server.compliance;

import static dev.patchtide.server.compliance.ComplianceItemsTest.filter;
import static dev.patchtide.server.compliance.ComplianceItemsTest.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ComplianceItem;
import software.amazon.awssdk.services.ssm.model.ComplianceItemEntry;
import software.amazon.awssdk.services.ssm.model.ComplianceQueryOperatorType;
import software.amazon.awssdk.services.ssm.model.ComplianceSeverity;
import software.amazon.awssdk.services.ssm.model.ComplianceStatus;
import software.amazon.awssdk.services.ssm.model.ComplianceStringFilter;
import software.amazon.awssdk.services.ssm.model.ComplianceSummaryItem;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InvalidResourceIdException;
import software.amazon.awssdk.services.ssm.model.ListComplianceSummariesResponse;
import software.amazon.awssdk.services.ssm.model.ListResourceComplianceSummariesResponse;
import software.amazon.awssdk.services.ssm.model.OperatingSystem;
import software.amazon.awssdk.services.ssm.model.PatchComplianceLevel;
import software.amazon.awssdk.services.ssm.model.PatchFilterKey;
import software.amazon.awssdk.services.ssm.model.ResourceComplianceSummaryItem;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.SeveritySummary;
import software.amazon.awssdk.services.ssm.model.Tag;

/** Custom and Patch compliance side by side, per resource and per type, on a small fleet of three. */
// The SDK's builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class ComplianceSummariesTest {
    static final Instant RUN = Instant.parse("2026-11-20T10:15:30Z");

    TestServer server;
    SsmClient ssm;
    FakeAgent a;
    FakeAgent b;
    FakeAgent c;
    String scanA;

    @BeforeEach
    void fleet() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        ssm = server.ssm();
        CreateActivationResponse activation =
                ssm.createActivation(x -> x.iamRole("r").registrationLimit(3));
        a = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        b = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        c = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());

        // a's patch group approves everything at compliance level HIGH: two missing patches.
        String everything = ssm.createPatchBaseline(x -> x.name("everything")
                        .operatingSystem(OperatingSystem.DEBIAN)
                        .approvalRules(r -> r.patchRules(rule -> rule.approveAfterDays(0)
                                .enableNonSecurity(true)
                                .complianceLevel(PatchComplianceLevel.HIGH)
                                .patchFilterGroup(g -> g.patchFilters(
                                        f -> f.key(PatchFilterKey.PRODUCT).values("*"))))))
                .baselineId();
        ssm.registerPatchBaselineForPatchGroup(x -> x.baselineId(everything).patchGroup("web"));
        ssm.addTagsToResource(x -> x.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(a.instanceId())
                .tags(Tag.builder().key("Patch Group").value("web").build()));
        scanA = scan(a, List.of(patch("openssl", "3.0.15-1~deb12u1"), patch("tzdata", "2025b-0+deb12u1")))
                .path("SnapshotId")
                .asText();
        scan(b, List.of());

        put(
                a,
                "Custom:Antivirus",
                item("A1", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW),
                item("A2", ComplianceStatus.NON_COMPLIANT, ComplianceSeverity.CRITICAL));
        put(b, "Custom:Antivirus", item("B1", ComplianceStatus.COMPLIANT, ComplianceSeverity.MEDIUM));
        put(c, "Custom:Disk", item("C1", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void perResourceSummariesMixCustomAndPatchTypes() {
        Map<String, ResourceComplianceSummaryItem> all = new LinkedHashMap<>();
        resourceSummaries().forEach(s -> all.put(s.resourceId() + "/" + s.complianceType(), s));
        assertThat(all.keySet())
                .containsExactlyInAnyOrder(
                        a.instanceId() + "/Custom:Antivirus",
                        a.instanceId() + "/Patch",
                        b.instanceId() + "/Custom:Antivirus",
                        b.instanceId() + "/Patch",
                        c.instanceId() + "/Custom:Disk");
        assertThat(new ArrayList<>(all.keySet())).isSorted();

        ResourceComplianceSummaryItem av = all.get(a.instanceId() + "/Custom:Antivirus");
        assertThat(av.statusAsString()).isEqualTo("NON_COMPLIANT");
        assertThat(av.overallSeverityAsString()).isEqualTo("CRITICAL");
        assertThat(av.resourceType()).isEqualTo("ManagedInstance");
        assertThat(av.executionSummary().executionId()).isEqualTo("run-" + a.instanceId());
        assertThat(av.executionSummary().executionTime()).isEqualTo(RUN);
        assertThat(av.compliantSummary().compliantCount()).isEqualTo(1);
        assertThat(av.compliantSummary().severitySummary().lowCount()).isEqualTo(1);
        assertThat(av.nonCompliantSummary().nonCompliantCount()).isEqualTo(1);
        assertThat(av.nonCompliantSummary().severitySummary().criticalCount()).isEqualTo(1);

        ResourceComplianceSummaryItem patchA = all.get(a.instanceId() + "/Patch");
        assertThat(patchA.statusAsString()).isEqualTo("NON_COMPLIANT");
        assertThat(patchA.overallSeverityAsString()).isEqualTo("HIGH");
        assertThat(patchA.executionSummary().executionId()).isEqualTo(scanA);
        assertThat(patchA.executionSummary().executionType()).isEqualTo("Command");
        assertThat(patchA.nonCompliantSummary().nonCompliantCount()).isEqualTo(2);
        assertThat(patchA.nonCompliantSummary().severitySummary().highCount()).isEqualTo(2);
        assertThat(patchA.compliantSummary().compliantCount()).isEqualTo(700);
        assertThat(patchA.compliantSummary().severitySummary().unspecifiedCount())
                .isEqualTo(700);

        ResourceComplianceSummaryItem patchB = all.get(b.instanceId() + "/Patch");
        assertThat(patchB.statusAsString()).isEqualTo("COMPLIANT");
        assertThat(patchB.overallSeverityAsString()).isEqualTo("UNSPECIFIED");
        assertThat(patchB.nonCompliantSummary().nonCompliantCount()).isZero();
        assertThat(all.get(b.instanceId() + "/Custom:Antivirus").overallSeverityAsString())
                .isEqualTo("MEDIUM");

        assertThat(keys(resourceSummaries(filter("Status", ComplianceQueryOperatorType.EQUAL, "NON_COMPLIANT"))))
                .containsExactlyInAnyOrder(a.instanceId() + "/Custom:Antivirus", a.instanceId() + "/Patch");
        assertThat(keys(resourceSummaries(filter("ComplianceType", ComplianceQueryOperatorType.EQUAL, "Patch"))))
                .containsExactlyInAnyOrder(a.instanceId() + "/Patch", b.instanceId() + "/Patch");
        assertThat(keys(resourceSummaries(
                        filter("OverallSeverity", ComplianceQueryOperatorType.EQUAL, "CRITICAL", "HIGH"))))
                .containsExactlyInAnyOrder(a.instanceId() + "/Custom:Antivirus", a.instanceId() + "/Patch");
        assertThat(keys(resourceSummaries(filter("ResourceId", ComplianceQueryOperatorType.EQUAL, c.instanceId()))))
                .containsExactly(c.instanceId() + "/Custom:Disk");
        assertThat(keys(resourceSummaries(
                        filter("ComplianceType", ComplianceQueryOperatorType.BEGIN_WITH, "Custom:"),
                        filter("Status", ComplianceQueryOperatorType.NOT_EQUAL, "NON_COMPLIANT"))))
                .containsExactlyInAnyOrder(b.instanceId() + "/Custom:Antivirus", c.instanceId() + "/Custom:Disk");

        List<String> paged = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String from = token;
            ListResourceComplianceSummariesResponse page =
                    ssm.listResourceComplianceSummaries(x -> x.maxResults(2).nextToken(from));
            page.resourceComplianceSummaryItems().forEach(s -> paged.add(s.resourceId() + "/" + s.complianceType()));
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertThat(pages).isEqualTo(3);
        assertThat(paged).containsExactlyElementsOf(all.keySet());
    }

    @Test
    void aNewScanReplacesThePatchSummary() throws Exception {
        assertThat(keys(resourceSummaries(
                        filter("Status", ComplianceQueryOperatorType.EQUAL, "NON_COMPLIANT"),
                        filter("ComplianceType", ComplianceQueryOperatorType.EQUAL, "Patch"))))
                .containsExactly(a.instanceId() + "/Patch");
        String rescan = scan(a, List.of(patch("openssl", "3.0.15-1~deb12u1")))
                .path("SnapshotId")
                .asText();
        ResourceComplianceSummaryItem patchA = resourceSummaries(
                        filter("ResourceId", ComplianceQueryOperatorType.EQUAL, a.instanceId()),
                        filter("ComplianceType", ComplianceQueryOperatorType.EQUAL, "Patch"))
                .getFirst();
        assertThat(patchA.executionSummary().executionId()).isEqualTo(rescan);
        assertThat(patchA.nonCompliantSummary().nonCompliantCount()).isEqualTo(1);

        scan(a, List.of());
        assertThat(typeSummaries(filter("ComplianceType", ComplianceQueryOperatorType.EQUAL, "Patch"))
                        .getFirst()
                        .compliantSummary()
                        .compliantCount())
                .isEqualTo(2);
    }

    @Test
    void perTypeSummariesCountResourcesBySeverity() {
        Map<String, ComplianceSummaryItem> byType = new LinkedHashMap<>();
        typeSummaries().forEach(s -> byType.put(s.complianceType(), s));
        assertThat(byType.keySet()).containsExactly("Custom:Antivirus", "Custom:Disk", "Patch");

        ComplianceSummaryItem av = byType.get("Custom:Antivirus");
        assertThat(av.compliantSummary().compliantCount()).isEqualTo(1);
        assertThat(av.compliantSummary().severitySummary()).isEqualTo(severities(0, 0, 1, 0, 0, 0));
        assertThat(av.nonCompliantSummary().nonCompliantCount()).isEqualTo(1);
        assertThat(av.nonCompliantSummary().severitySummary()).isEqualTo(severities(1, 0, 0, 0, 0, 0));
        ComplianceSummaryItem patch = byType.get("Patch");
        assertThat(patch.compliantSummary().compliantCount()).isEqualTo(1);
        assertThat(patch.compliantSummary().severitySummary()).isEqualTo(severities(0, 0, 0, 0, 0, 1));
        assertThat(patch.nonCompliantSummary().nonCompliantCount()).isEqualTo(1);
        assertThat(patch.nonCompliantSummary().severitySummary()).isEqualTo(severities(0, 1, 0, 0, 0, 0));
        assertThat(byType.get("Custom:Disk").nonCompliantSummary().nonCompliantCount())
                .isZero();

        assertThat(typeSummaries(filter("ComplianceType", ComplianceQueryOperatorType.BEGIN_WITH, "Custom:")))
                .extracting(ComplianceSummaryItem::complianceType)
                .containsExactly("Custom:Antivirus", "Custom:Disk");
        assertThat(typeSummaries(filter("ComplianceType", ComplianceQueryOperatorType.EQUAL, "Patch")))
                .extracting(ComplianceSummaryItem::complianceType)
                .containsExactly("Patch");

        List<String> paged = new ArrayList<>();
        String token = null;
        do {
            String from = token;
            ListComplianceSummariesResponse page =
                    ssm.listComplianceSummaries(x -> x.maxResults(1).nextToken(from));
            assertThat(page.complianceSummaryItems()).hasSize(1);
            paged.add(page.complianceSummaryItems().getFirst().complianceType());
            token = page.nextToken();
        } while (token != null);
        assertThat(paged).containsExactly("Custom:Antivirus", "Custom:Disk", "Patch");
    }

    @Test
    void patchItemsAreListedAfterStoredOnesInAwsShape() {
        List<ComplianceItem> items = items(a.instanceId());
        assertThat(items)
                .extracting(i -> i.complianceType() + ":" + i.id())
                .containsExactly(
                        "Custom:Antivirus:A1",
                        "Custom:Antivirus:A2",
                        "Patch:openssl.amd64:3.0.15-1~deb12u1",
                        "Patch:tzdata.amd64:2025b-0+deb12u1");
        ComplianceItem openssl = items.get(2);
        assertThat(openssl.title()).isEqualTo("openssl");
        assertThat(openssl.statusAsString()).isEqualTo("NON_COMPLIANT");
        assertThat(openssl.severityAsString()).isEqualTo("HIGH");
        assertThat(openssl.executionSummary().executionId()).isEqualTo(scanA);
        assertThat(openssl.executionSummary().executionType()).isEqualTo("Command");
        assertThat(openssl.details())
                .containsEntry("PatchState", "Missing")
                .containsEntry("PatchGroup", "web")
                .containsEntry("DocumentName", "AWS-RunPatchBaseline")
                .containsKeys("Classification", "PatchSeverity", "InstalledTime")
                .hasEntrySatisfying("PatchBaselineId", v -> assertThat(v).startsWith("pb-"));

        assertThat(items(a.instanceId(), filter("Status", ComplianceQueryOperatorType.EQUAL, "NON_COMPLIANT")))
                .extracting(ComplianceItem::id)
                .containsExactly("A2", "openssl.amd64:3.0.15-1~deb12u1", "tzdata.amd64:2025b-0+deb12u1");
        assertThat(items(
                        a.instanceId(),
                        filter("ComplianceType", ComplianceQueryOperatorType.EQUAL, "Patch"),
                        filter("Id", ComplianceQueryOperatorType.BEGIN_WITH, "tz")))
                .extracting(ComplianceItem::id)
                .containsExactly("tzdata.amd64:2025b-0+deb12u1");
        assertThat(items(a.instanceId(), filter("Severity", ComplianceQueryOperatorType.NOT_EQUAL, "HIGH")))
                .extracting(ComplianceItem::id)
                .containsExactly("A1", "A2");
        // One item per page walks across the stored/Patch boundary and across resources.
        assertThat(ssm
                        .listComplianceItemsPaginator(x ->
                                x.resourceIds(b.instanceId(), a.instanceId()).maxResults(1))
                        .complianceItems()
                        .stream()
                        .map(ComplianceItem::id)
                        .toList())
                .hasSize(5)
                .containsAll(List.of("A1", "A2", "B1", "openssl.amd64:3.0.15-1~deb12u1"));
    }

    @Test
    void deregisteredInstanceLeavesEveryListing() {
        ssm.deregisterManagedInstance(x -> x.instanceId(a.instanceId()));

        assertThat(resourceSummaries())
                .extracting(ResourceComplianceSummaryItem::resourceId)
                .doesNotContain(a.instanceId())
                .contains(b.instanceId(), c.instanceId());
        Map<String, ComplianceSummaryItem> byType = new LinkedHashMap<>();
        typeSummaries().forEach(s -> byType.put(s.complianceType(), s));
        assertThat(byType.get("Custom:Antivirus").nonCompliantSummary().nonCompliantCount())
                .isZero();
        assertThat(byType.get("Patch").nonCompliantSummary().nonCompliantCount())
                .isZero();
        assertThatThrownBy(() -> items(a.instanceId())).isInstanceOf(InvalidResourceIdException.class);
        assertThatThrownBy(() ->
                        put(a, "Custom:Antivirus", item("A9", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW)))
                .isInstanceOf(InvalidResourceIdException.class);
        int rows = server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT (SELECT count(*) FROM compliance_items WHERE resource_id = :id)"
                                + " + (SELECT count(*) FROM compliance_summaries WHERE resource_id = :id)")
                .bind("id", a.instanceId())
                .mapTo(Integer.class)
                .one());
        assertThat(rows).isZero();
    }

    private void put(FakeAgent agent, String type, ComplianceItemEntry... items) {
        ssm.putComplianceItems(x -> x.resourceId(agent.instanceId())
                .resourceType("ManagedInstance")
                .complianceType(type)
                .executionSummary(e -> e.executionTime(RUN)
                        .executionId("run-" + agent.instanceId())
                        .executionType("Command"))
                .items(items));
    }

    private List<ResourceComplianceSummaryItem> resourceSummaries(ComplianceStringFilter... filters) {
        return ssm
                .listResourceComplianceSummariesPaginator(x -> x.filters(filters))
                .resourceComplianceSummaryItems()
                .stream()
                .toList();
    }

    private static List<String> keys(List<ResourceComplianceSummaryItem> summaries) {
        return summaries.stream()
                .map(s -> s.resourceId() + "/" + s.complianceType())
                .toList();
    }

    private List<ComplianceSummaryItem> typeSummaries(ComplianceStringFilter... filters) {
        return ssm.listComplianceSummariesPaginator(x -> x.filters(filters)).complianceSummaryItems().stream()
                .toList();
    }

    private List<ComplianceItem> items(String resourceId, ComplianceStringFilter... filters) {
        return ssm
                .listComplianceItemsPaginator(x -> x.resourceIds(resourceId).filters(filters))
                .complianceItems()
                .stream()
                .toList();
    }

    private static SeveritySummary severities(int critical, int high, int medium, int low, int info, int none) {
        return SeveritySummary.builder()
                .criticalCount(critical)
                .highCount(high)
                .mediumCount(medium)
                .lowCount(low)
                .informationalCount(info)
                .unspecifiedCount(none)
                .build();
    }

    private static JsonNode scan(FakeAgent agent, List<Map<String, Object>> patches) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("InstanceId", agent.instanceId());
        body.put("OperatingSystem", "DEBIAN");
        body.put("OperationStartTime", RUN.getEpochSecond());
        body.put("OperationEndTime", RUN.getEpochSecond());
        body.put("InstalledCount", 700);
        body.put("RebootRequired", false);
        body.put("Patches", patches);
        return agent.client().call("Patchtide.PutPatchScanReport", body);
    }

    private static Map<String, Object> patch(String name, String available) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("Name", name);
        p.put("Arch", "amd64");
        p.put("InstalledVersion", "0");
        p.put("AvailableVersion", available);
        p.put("Product", "Debian12");
        p.put("Priority", "optional");
        p.put("Section", "utils");
        p.put("Security", true);
        p.put("CVEIds", List.of());
        return p;
    }
}
