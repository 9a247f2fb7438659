package dev.patchtide.server.compliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ComplianceItem;
import software.amazon.awssdk.services.ssm.model.ComplianceItemEntry;
import software.amazon.awssdk.services.ssm.model.ComplianceQueryOperatorType;
import software.amazon.awssdk.services.ssm.model.ComplianceSeverity;
import software.amazon.awssdk.services.ssm.model.ComplianceStatus;
import software.amazon.awssdk.services.ssm.model.ComplianceStringFilter;
import software.amazon.awssdk.services.ssm.model.ComplianceUploadType;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.InvalidResourceIdException;
import software.amazon.awssdk.services.ssm.model.ListComplianceItemsResponse;
import software.amazon.awssdk.services.ssm.model.SsmException;

class ComplianceItemsTest {
    static final Instant RUN = Instant.parse("2026-11-20T10:15:30Z");

    static TestServer server;
    static SsmClient ssm;
    static CreateActivationResponse activation;
    FakeAgent agent;
    String id;

    @BeforeAll
    static void start() {
        server = TestServer.start(MutableClock.ofNow());
        ssm = server.ssm();
        activation = ssm.createActivation(b -> b.iamRole("r").registrationLimit(50));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void newInstance() throws Exception {
        agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        id = agent.instanceId();
    }

    @Test
    void completeReplacesPartialUpsertsById() {
        put(
                "Custom:Antivirus",
                ComplianceUploadType.COMPLETE,
                "run-1",
                item("A1", ComplianceStatus.COMPLIANT, ComplianceSeverity.HIGH),
                item("A2", ComplianceStatus.NON_COMPLIANT, ComplianceSeverity.CRITICAL),
                item("A3", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW));
        put(
                "Custom:Antivirus",
                ComplianceUploadType.PARTIAL,
                "run-2",
                item("A2", ComplianceStatus.COMPLIANT, ComplianceSeverity.CRITICAL),
                item("A4", ComplianceStatus.NON_COMPLIANT, ComplianceSeverity.MEDIUM));

        List<ComplianceItem> items = list();
        assertThat(items).extracting(ComplianceItem::id).containsExactly("A1", "A2", "A3", "A4");
        ComplianceItem a2 = items.get(1);
        assertThat(a2.status()).isEqualTo(ComplianceStatus.COMPLIANT);
        assertThat(a2.complianceType()).isEqualTo("Custom:Antivirus");
        assertThat(a2.resourceType()).isEqualTo("ManagedInstance");
        assertThat(a2.resourceId()).isEqualTo(id);
        assertThat(a2.title()).isEqualTo("title of A2");
        assertThat(a2.details()).containsEntry("Engine", "clam").containsEntry("Item", "A2");
        assertThat(a2.executionSummary().executionId()).isEqualTo("run-2");
        assertThat(a2.executionSummary().executionType()).isEqualTo("Command");
        assertThat(a2.executionSummary().executionTime()).isEqualTo(RUN);
        assertThat(items.getFirst().executionSummary().executionId()).isEqualTo("run-1");

        put(
                "Custom:Antivirus",
                ComplianceUploadType.COMPLETE,
                "run-3",
                item("B1", ComplianceStatus.COMPLIANT, ComplianceSeverity.INFORMATIONAL));
        assertThat(list()).extracting(ComplianceItem::id).containsExactly("B1");

        // An empty complete upload clears the type.
        put("Custom:Antivirus", ComplianceUploadType.COMPLETE, "run-4");
        assertThat(list()).isEmpty();
    }

    @Test
    void everyFilterTypeAndPaging() {
        put(
                "Custom:Antivirus",
                ComplianceUploadType.COMPLETE,
                "av-run",
                item("A1", ComplianceStatus.COMPLIANT, ComplianceSeverity.HIGH),
                item("A2", ComplianceStatus.NON_COMPLIANT, ComplianceSeverity.CRITICAL),
                item("A3", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW));
        put(
                "Custom:Disk",
                ComplianceUploadType.COMPLETE,
                "disk-run",
                item("D1", ComplianceStatus.NON_COMPLIANT, ComplianceSeverity.MEDIUM),
                item("D2", ComplianceStatus.COMPLIANT, ComplianceSeverity.CRITICAL));

        assertThat(ids(filter("Status", ComplianceQueryOperatorType.EQUAL, "NON_COMPLIANT")))
                .containsExactly("A2", "D1");
        assertThat(ids(filter("Severity", ComplianceQueryOperatorType.NOT_EQUAL, "CRITICAL", "LOW")))
                .containsExactly("A1", "D1");
        assertThat(ids(filter("Id", ComplianceQueryOperatorType.BEGIN_WITH, "D")))
                .containsExactly("D1", "D2");
        assertThat(ids(filter("Id", ComplianceQueryOperatorType.LESS_THAN, "A3")))
                .containsExactly("A1", "A2");
        assertThat(ids(filter("Id", ComplianceQueryOperatorType.GREATER_THAN, "A3")))
                .containsExactly("D1", "D2");
        assertThat(ids(filter("ComplianceType", ComplianceQueryOperatorType.EQUAL, "Custom:Disk")))
                .containsExactly("D1", "D2");
        assertThat(ids(filter("ExecutionId", ComplianceQueryOperatorType.EQUAL, "av-run")))
                .containsExactly("A1", "A2", "A3");
        assertThat(ids(
                        filter("ComplianceType", ComplianceQueryOperatorType.BEGIN_WITH, "Custom:"),
                        filter("Status", ComplianceQueryOperatorType.EQUAL, "COMPLIANT"),
                        filter("Severity", ComplianceQueryOperatorType.EQUAL, "CRITICAL", "HIGH")))
                .containsExactly("A1", "D2");
        assertThatThrownBy(() -> ids(filter("Colour", ComplianceQueryOperatorType.EQUAL, "red")))
                .isInstanceOfSatisfying(SsmException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidFilter");
                    assertThat(e.getMessage()).contains("Colour");
                });

        List<String> paged = new ArrayList<>();
        int pages = 0;
        String token = null;
        do {
            String from = token;
            ListComplianceItemsResponse page = ssm.listComplianceItems(b -> b.resourceIds(id)
                    .resourceTypes("ManagedInstance")
                    .maxResults(2)
                    .nextToken(from));
            assertThat(page.complianceItems()).hasSizeLessThanOrEqualTo(2);
            page.complianceItems().forEach(i -> paged.add(i.id()));
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertThat(paged).containsExactly("A1", "A2", "A3", "D1", "D2");
        assertThat(pages).isEqualTo(3);
        assertThat(ssm.listComplianceItemsPaginator(b -> b.resourceIds(id).maxResults(1))
                        .complianceItems())
                .extracting(ComplianceItem::id)
                .containsExactly("A1", "A2", "A3", "D1", "D2");
    }

    @Test
    void tenThousandItemsAreAllowedAndSummarisedOnWrite() {
        ComplianceItemEntry[] items = new ComplianceItemEntry[10_000];
        for (int i = 0; i < items.length; i++) {
            items[i] = item(
                    String.format(java.util.Locale.ROOT, "K%05d", i),
                    i % 10 == 0 ? ComplianceStatus.NON_COMPLIANT : ComplianceStatus.COMPLIANT,
                    i % 2 == 0 ? ComplianceSeverity.HIGH : ComplianceSeverity.LOW);
        }
        long start = System.nanoTime();
        put("Custom:Packages", ComplianceUploadType.COMPLETE, "big", items);
        System.out.printf("PutComplianceItems with 10000 items: %d ms%n", (System.nanoTime() - start) / 1_000_000);

        var summary = ssm.listResourceComplianceSummaries(b -> b.filters(
                        filter("ResourceId", ComplianceQueryOperatorType.EQUAL, id),
                        filter("ComplianceType", ComplianceQueryOperatorType.EQUAL, "Custom:Packages")))
                .resourceComplianceSummaryItems()
                .getFirst();
        assertThat(summary.compliantSummary().compliantCount()).isEqualTo(9_000);
        assertThat(summary.nonCompliantSummary().nonCompliantCount()).isEqualTo(1_000);
        assertThat(summary.nonCompliantSummary().severitySummary().highCount()).isEqualTo(1_000);
        assertThat(summary.compliantSummary().severitySummary().lowCount()).isEqualTo(5_000);
        assertThat(summary.overallSeverityAsString()).isEqualTo("HIGH");
        assertThat(ssm.listComplianceItems(b -> b.resourceIds(id)
                                .filters(filter("Id", ComplianceQueryOperatorType.GREATER_THAN, "K09997")))
                        .complianceItems())
                .extracting(ComplianceItem::id)
                .containsExactly("K09998", "K09999");
    }

    @Test
    void itemContentHashThatDidNotChangeIsIgnored() {
        ssm.putComplianceItems(b -> b.resourceId(id)
                .resourceType("ManagedInstance")
                .complianceType("Custom:Hash")
                .executionSummary(e -> e.executionTime(RUN))
                .itemContentHash("h1")
                .items(item("X1", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW)));
        ssm.putComplianceItems(b -> b.resourceId(id)
                .resourceType("ManagedInstance")
                .complianceType("Custom:Hash")
                .executionSummary(e -> e.executionTime(RUN))
                .itemContentHash("h1")
                .items(item("X2", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW)));
        assertThat(list()).extracting(ComplianceItem::id).containsExactly("X1");
        ssm.putComplianceItems(b -> b.resourceId(id)
                .resourceType("ManagedInstance")
                .complianceType("Custom:Hash")
                .executionSummary(e -> e.executionTime(RUN))
                .itemContentHash("h2")
                .items(item("X2", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW)));
        assertThat(list()).extracting(ComplianceItem::id).containsExactly("X2");
    }

    @Test
    void itemsWithoutIdAreKeptInOrderAndShownWithoutId() {
        ssm.putComplianceItems(b -> b.resourceId(id)
                .resourceType("ManagedInstance")
                .complianceType("Association")
                .executionSummary(e -> e.executionTime(RUN))
                .items(
                        ComplianceItemEntry.builder()
                                .title("first")
                                .severity(ComplianceSeverity.UNSPECIFIED)
                                .status(ComplianceStatus.COMPLIANT)
                                .build(),
                        ComplianceItemEntry.builder()
                                .title("second")
                                .severity(ComplianceSeverity.UNSPECIFIED)
                                .status(ComplianceStatus.NON_COMPLIANT)
                                .build()));
        assertThat(list()).extracting(ComplianceItem::title).containsExactly("first", "second");
        assertThat(list()).allSatisfy(i -> assertThat(i.id()).isNull());
    }

    @Test
    void badItemsAreRefusedNamingTheFieldAndNothingIsStored() {
        put(
                "Custom:Antivirus",
                ComplianceUploadType.COMPLETE,
                "good",
                item("A1", ComplianceStatus.COMPLIANT, ComplianceSeverity.HIGH));

        // Bypass the SDK's enum types to send what a script could send.
        Map<String, Object> badSeverity = rawItem("B1");
        badSeverity.put("Severity", "SEVERE");
        expectRefused(
                rawPut("Custom:Antivirus", List.of(rawItem("B0"), badSeverity)),
                "ValidationException",
                "items.2.member.severity");
        Map<String, Object> noStatus = rawItem("B1");
        noStatus.remove("Status");
        expectRefused(rawPut("Custom:Antivirus", List.of(noStatus)), "ValidationException", "items.1.member.status");
        Map<String, Object> longTitle = rawItem("B1");
        longTitle.put("Title", "t".repeat(501));
        expectRefused(rawPut("Custom:Antivirus", List.of(longTitle)), "ValidationException", "items.1.member.title");
        Map<String, Object> longKey = rawItem("B1");
        longKey.put("Details", Map.of("k".repeat(65), "v"));
        expectRefused(rawPut("Custom:Antivirus", List.of(longKey)), "ValidationException", "items.1.member.details");
        expectRefused(rawPut("Custom:X", List.of(rawItem("B1"))), "ValidationException", "complianceType");
        expectRefused(rawPut("Custom:bad name", List.of(rawItem("B1"))), "ValidationException", "complianceType");
        expectRefused(rawPut("Patch", List.of(rawItem("B1"))), "ValidationException", "complianceType");
        expectRefused(rawPut("Inventory", List.of(rawItem("B1"))), "ValidationException", "complianceType");
        Map<String, Object> noTime = rawPut("Custom:Antivirus", List.of(rawItem("B1")));
        noTime.put("ExecutionSummary", Map.of("ExecutionId", "x"));
        expectRefused(noTime, "ValidationException", "executionSummary.executionTime");
        Map<String, Object> longExecutionId = rawPut("Custom:Antivirus", List.of(rawItem("B1")));
        longExecutionId.put(
                "ExecutionSummary", Map.of("ExecutionTime", RUN.getEpochSecond(), "ExecutionId", "e".repeat(101)));
        expectRefused(longExecutionId, "ValidationException", "executionSummary.executionId");
        Map<String, Object> badUpload = rawPut("Custom:Antivirus", List.of(rawItem("B1")));
        badUpload.put("UploadType", "SOME");
        expectRefused(badUpload, "ValidationException", "uploadType");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i <= 10_000; i++) {
            tooMany.add(rawItem("N" + i));
        }
        expectRefused(rawPut("Custom:Antivirus", tooMany), "ValidationException", "'items'");
        expectRefused(
                rawPut("Custom:Antivirus", List.of(rawItem("B1"), rawItem("B1"))),
                "InvalidItemContentException",
                "items.2.member.id");
        Map<String, Object> partialWithoutId = rawPut("Custom:Antivirus", List.of(rawItem(null)));
        partialWithoutId.put("UploadType", "PARTIAL");
        expectRefused(partialWithoutId, "InvalidItemContentException", "items.1.member.id");
        Map<String, Object> huge = rawItem("B1");
        Map<String, String> details = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            details.put("k" + i, "v".repeat(4096));
        }
        huge.put("Details", details);
        expectRefused(rawPut("Custom:Antivirus", List.of(huge)), "ItemSizeLimitExceededException", "Item 1");
        Map<String, Object> spaceship = rawPut("Custom:Antivirus", List.of(rawItem("B1")));
        spaceship.put("ResourceType", "Spaceship");
        expectRefused(spaceship, "InvalidResourceType", "Spaceship");

        assertThat(list()).extracting(ComplianceItem::id).containsExactly("A1");
    }

    @Test
    void atMostTenCustomTypesPerResource() {
        for (int i = 0; i < 10; i++) {
            put(
                    "Custom:T" + i,
                    ComplianceUploadType.COMPLETE,
                    "r",
                    item("I", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW));
        }
        // Rewriting an existing type and the Association type are still fine.
        put(
                "Custom:T3",
                ComplianceUploadType.COMPLETE,
                "r",
                item("J", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW));
        put(
                "Association",
                ComplianceUploadType.COMPLETE,
                "r",
                item("K", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW));
        assertThatThrownBy(() -> put(
                        "Custom:T10",
                        ComplianceUploadType.COMPLETE,
                        "r",
                        item("I", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW)))
                .isInstanceOfSatisfying(
                        SsmException.class, e -> assertThat(e.awsErrorDetails().errorCode())
                                .isEqualTo("ComplianceTypeCountLimitExceededException"));
        assertThat(ids(filter("ComplianceType", ComplianceQueryOperatorType.EQUAL, "Custom:T10")))
                .isEmpty();
        assertThat(list()).hasSize(11);
    }

    @Test
    void unknownInstanceIsRefused() {
        assertThatThrownBy(() -> ssm.putComplianceItems(b -> b.resourceId("mi-00000000000000000")
                        .resourceType("ManagedInstance")
                        .complianceType("Custom:XY")
                        .executionSummary(e -> e.executionTime(RUN))
                        .items(item("I", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW))))
                .isInstanceOf(InvalidResourceIdException.class);
        assertThatThrownBy(() -> ssm.listComplianceItems(b -> b.resourceIds("mi-00000000000000000")))
                .isInstanceOf(InvalidResourceIdException.class);
    }

    @Test
    void listingNeedsAResourceOfAKnownTypeAndItsOwnTokens() {
        assertThatThrownBy(() -> ssm.listComplianceItems(b -> b.maxResults(5)))
                .isInstanceOfSatisfying(SsmException.class, e -> {
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
                    assertThat(e.getMessage()).contains("resourceIds");
                });
        assertThatThrownBy(() -> ssm.listComplianceItems(b -> b.resourceIds(id).resourceTypes("Spaceship")))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidResourceType"));
        put(
                "Custom:Antivirus",
                ComplianceUploadType.COMPLETE,
                "r",
                item("A1", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW));
        put(
                "Custom:Disk",
                ComplianceUploadType.COMPLETE,
                "r",
                item("D1", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW));
        String summariesToken =
                ssm.listResourceComplianceSummaries(b -> b.maxResults(1)).nextToken();
        assertThat(summariesToken).isNotNull();
        assertThatThrownBy(() -> ssm.listComplianceItems(b -> b.resourceIds(id).nextToken(summariesToken)))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidNextToken"));
        assertThatThrownBy(() -> ssm.listComplianceSummaries(b -> b.nextToken("garbage")))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidNextToken"));
    }

    @Test
    void anAgentMayPutItsOwnComplianceButNotAnothers() throws Exception {
        FakeAgent other = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        try (SsmClient own = server.ssm(agent.accessKeyId(), agent.secretAccessKey())) {
            own.putComplianceItems(b -> b.resourceId(id)
                    .resourceType("ManagedInstance")
                    .complianceType("Custom:Self")
                    .executionSummary(e -> e.executionTime(RUN))
                    .items(item("I", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW)));
            assertThatThrownBy(() -> own.putComplianceItems(b -> b.resourceId(other.instanceId())
                            .resourceType("ManagedInstance")
                            .complianceType("Custom:Self")
                            .executionSummary(e -> e.executionTime(RUN))
                            .items(item("I", ComplianceStatus.COMPLIANT, ComplianceSeverity.LOW))))
                    .isInstanceOfSatisfying(
                            SsmException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException"));
        }
        assertThat(list()).extracting(ComplianceItem::id).containsExactly("I");
    }

    private void put(String type, ComplianceUploadType upload, String executionId, ComplianceItemEntry... items) {
        ssm.putComplianceItems(b -> b.resourceId(id)
                .resourceType("ManagedInstance")
                .complianceType(type)
                .uploadType(upload)
                .executionSummary(
                        e -> e.executionTime(RUN).executionId(executionId).executionType("Command"))
                .items(items));
    }

    static ComplianceItemEntry item(String itemId, ComplianceStatus status, ComplianceSeverity severity) {
        return ComplianceItemEntry.builder()
                .id(itemId)
                .title("title of " + itemId)
                .status(status)
                .severity(severity)
                .details(Map.of("Engine", "clam", "Item", itemId))
                .build();
    }

    private List<ComplianceItem> list() {
        return ssm.listComplianceItemsPaginator(b -> b.resourceIds(id)).complianceItems().stream()
                .toList();
    }

    private List<String> ids(ComplianceStringFilter... filters) {
        return ssm.listComplianceItemsPaginator(b -> b.resourceIds(id).filters(filters)).complianceItems().stream()
                .map(ComplianceItem::id)
                .toList();
    }

    static ComplianceStringFilter filter(String key, ComplianceQueryOperatorType type, String... values) {
        return ComplianceStringFilter.builder()
                .key(key)
                .type(type)
                .values(values)
                .build();
    }

    private Map<String, Object> rawPut(String type, List<Map<String, Object>> items) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ResourceId", id);
        body.put("ResourceType", "ManagedInstance");
        body.put("ComplianceType", type);
        body.put("ExecutionSummary", Map.of("ExecutionTime", RUN.getEpochSecond()));
        body.put("Items", items);
        return body;
    }

    private static Map<String, Object> rawItem(String itemId) {
        Map<String, Object> item = new LinkedHashMap<>();
        if (itemId != null) {
            item.put("Id", itemId);
        }
        item.put("Severity", "LOW");
        item.put("Status", "COMPLIANT");
        return item;
    }

    private void expectRefused(Map<String, Object> body, String code, String naming) {
        assertThatThrownBy(() -> agent.client().call("AmazonSSM.PutComplianceItems", body))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo(code);
                    assertThat(e.getMessage()).contains(naming);
                });
    }
}
