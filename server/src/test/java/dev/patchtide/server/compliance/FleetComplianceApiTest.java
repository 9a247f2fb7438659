package dev.patchtide.server.compliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FleetComplianceApiTest {
    static MutableClock clock;
    static TestServer server;
    static ComplianceFleet fleet;
    static ApiClient admin;

    @BeforeAll
    static void start() throws Exception {
        clock = MutableClock.ofNow();
        server = TestServer.start(clock);
        fleet = ComplianceFleet.create(server);
        admin = fleet.admin();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void summaryCountsTheFleetBySeverityAndByPatchGroup() throws Exception {
        JsonNode summary = admin.call("Patchtide.GetFleetComplianceSummary", Map.of());

        JsonNode total = summary.path("Total");
        assertThat(total.has("PatchGroup")).isFalse();
        assertThat(total.path("InstanceCount").asInt()).isEqualTo(5);
        assertThat(total.path("CompliantCount").asInt()).isEqualTo(2);
        assertThat(total.path("NonCompliantCount").asInt()).isEqualTo(2);
        assertThat(total.path("NotScannedCount").asInt()).isEqualTo(1);
        assertThat(total.path("SecurityNonCompliantCount").asInt()).isEqualTo(3);
        assertThat(total.path("CriticalNonCompliantCount").asInt()).isZero();
        assertThat(total.path("OtherNonCompliantCount").asInt()).isZero();
        assertThat(total.path("InstancesWithSecurityNonCompliantPatches").asInt())
                .isEqualTo(2);
        assertThat(summary.path("GeneratedAt").asDouble()).isPositive();

        assertThat(groups(summary)).containsExactly("", "db", "web");
        JsonNode web = summary.path("PatchGroups").get(2);
        assertThat(web.path("InstanceCount").asInt()).isEqualTo(3);
        assertThat(web.path("CompliantCount").asInt()).isEqualTo(1);
        assertThat(web.path("NonCompliantCount").asInt()).isEqualTo(1);
        assertThat(web.path("NotScannedCount").asInt()).isEqualTo(1);
        assertThat(web.path("SecurityNonCompliantCount").asInt()).isEqualTo(1);
        JsonNode db = summary.path("PatchGroups").get(1);
        assertThat(db.path("SecurityNonCompliantCount").asInt()).isEqualTo(2);

        JsonNode onlyDb = admin.call("Patchtide.GetFleetComplianceSummary", Map.of("PatchGroup", "db"));
        assertThat(onlyDb.path("Total").path("PatchGroup").asText()).isEqualTo("db");
        assertThat(onlyDb.path("Total").path("InstanceCount").asInt()).isEqualTo(1);
        assertThat(onlyDb.path("Total").path("NonCompliantCount").asInt()).isEqualTo(1);
        assertThat(groups(onlyDb)).containsExactly("db");

        JsonNode none = admin.call("Patchtide.GetFleetComplianceSummary", Map.of("PatchGroup", "nobody"));
        assertThat(none.path("Total").path("InstanceCount").asInt()).isZero();
        assertThat(groups(none)).isEmpty();
    }

    @Test
    void nonCompliantInstancesComeWithTheirCountsAndAllTheirTags() throws Exception {
        JsonNode page =
                list(Map.of("Filters", List.of(filter("Status", "NON_COMPLIANT").asMap())));

        assertThat(ids(page))
                .containsExactly(fleet.web1().instanceId(), fleet.db1().instanceId());
        assertThat(page.has("NextToken")).isFalse();
        JsonNode db = page.path("Instances").get(1);
        assertThat(db.path("ComputerName").asText()).isEqualTo("db1.example.com");
        assertThat(db.path("PingStatus").asText()).isEqualTo("Online");
        assertThat(db.path("PatchGroup").asText()).isEqualTo("db");
        assertThat(db.path("BaselineId").asText()).startsWith("pb-");
        assertThat(db.path("Status").asText()).isEqualTo("NON_COMPLIANT");
        assertThat(db.path("MissingCount").asInt()).isEqualTo(2);
        assertThat(db.path("SecurityNonCompliantCount").asInt()).isEqualTo(2);
        assertThat(db.path("CriticalNonCompliantCount").asInt()).isZero();
        assertThat(db.path("LastScanTime").asDouble()).isPositive();
        assertThat(db.path("Tags").toString())
                .isEqualTo("[{\"Key\":\"Patch Group\",\"Value\":\"db\"},{\"Key\":\"env\",\"Value\":\"prod\"},"
                        + "{\"Key\":\"owner\",\"Value\":\"dba-team\"}]");
    }

    @Test
    void filtersCombineStatusPatchGroupAndTags() throws Exception {
        assertThat(ids(list(filters(filter("Status", "COMPLIANT")))))
                .containsExactly(fleet.web2().instanceId(), fleet.misc().instanceId());
        assertThat(ids(list(filters(filter("Status", "NOT_SCANNED")))))
                .containsExactly(fleet.web3().instanceId());
        JsonNode unscanned =
                list(filters(filter("Status", "NOT_SCANNED"))).path("Instances").get(0);
        assertThat(unscanned.path("PatchGroup").asText()).isEqualTo("web");
        assertThat(unscanned.has("MissingCount")).isFalse();
        assertThat(unscanned.has("LastScanTime")).isFalse();

        assertThat(ids(list(filters(filter("PatchGroup", "web")))))
                .containsExactly(
                        fleet.web1().instanceId(),
                        fleet.web2().instanceId(),
                        fleet.web3().instanceId());
        assertThat(ids(list(filters(filter("PatchGroup", "web"), filter("Status", "COMPLIANT")))))
                .containsExactly(fleet.web2().instanceId());
        assertThat(ids(list(filters(filter("PatchGroup", "web"), filter("Status", "NON_COMPLIANT")))))
                .containsExactly(fleet.web1().instanceId());
        assertThat(ids(list(filters(filter("Status", "NON_COMPLIANT"), filter("tag:env", "prod", "staging")))))
                .containsExactly(fleet.web1().instanceId(), fleet.db1().instanceId());
        assertThat(ids(list(filters(filter("tag:env", "staging")))))
                .containsExactly(fleet.web2().instanceId());
        assertThat(ids(list(filters(filter("tag-key", "owner")))))
                .containsExactly(fleet.db1().instanceId());
        assertThat(ids(list(filters(filter("Status", "COMPLIANT", "NOT_SCANNED"), filter("PatchGroup", "web")))))
                .containsExactly(fleet.web2().instanceId(), fleet.web3().instanceId());
        assertThat(ids(list(filters(filter("InstanceIds", fleet.misc().instanceId())))))
                .containsExactly(fleet.misc().instanceId());
    }

    @Test
    void pagesWalkTheFleetInIdOrderWithoutGapsOrRepeats() throws Exception {
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("MaxResults", 2);
            if (token != null) {
                q.put("NextToken", token);
            }
            JsonNode page = list(q);
            seen.addAll(ids(page));
            token = page.path("NextToken").isMissingNode()
                    ? null
                    : page.path("NextToken").asText();
            pages++;
        } while (token != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen)
                .containsExactly(
                        fleet.web1().instanceId(),
                        fleet.web2().instanceId(),
                        fleet.web3().instanceId(),
                        fleet.db1().instanceId(),
                        fleet.misc().instanceId());

        JsonNode first = list(Map.of(
                "MaxResults",
                1,
                "Filters",
                List.of(filter("Status", "NON_COMPLIANT").asMap())));
        assertThat(ids(first)).containsExactly(fleet.web1().instanceId());
        String nonCompliantToken = first.path("NextToken").asText();
        assertThat(ids(list(Map.of(
                        "MaxResults",
                        1,
                        "NextToken",
                        nonCompliantToken,
                        "Filters",
                        List.of(filter("Status", "NON_COMPLIANT").asMap())))))
                .containsExactly(fleet.db1().instanceId());
        assertThatThrownBy(() -> list(Map.of(
                        "NextToken",
                        nonCompliantToken,
                        "Filters",
                        List.of(filter("Status", "COMPLIANT").asMap()))))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.code()).isEqualTo("InvalidNextToken"));
    }

    @Test
    void badFiltersAndSizesAreNamed() {
        assertRefused(filters(filter("Colour", "red")), "InvalidFilterKey");
        assertRefused(filters(filter("Status", "BROKEN")), "InvalidFilterValue");
        assertRefused(filters(filter("PatchGroup", "a", "b")), "InvalidFilterValue");
        assertRefused(filters(filter("Status", "COMPLIANT"), filter("Status", "COMPLIANT")), "InvalidFilterKey");
        assertRefused(Map.of("MaxResults", 101), "ValidationException");
        assertThatThrownBy(() -> admin.call("Patchtide.GetFleetComplianceSummary", Map.of("PatchGroup", "")))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.getMessage()).contains("patchGroup"));
    }

    @Test
    void onlyOperatorsMaySeeTheFleet() {
        ApiClient instance = ComplianceFleet.client(
                server, fleet.web1().accessKeyId(), fleet.web1().secretAccessKey());
        ApiClient unsigned =
                new ApiClient(server.endpoint(), TestServer.REGION, Optional.empty(), java.time.InstantSource.system());
        for (String action : List.of("Patchtide.GetFleetComplianceSummary", "Patchtide.ListInstanceCompliance")) {
            assertThatThrownBy(() -> instance.call(action, Map.of()))
                    .isInstanceOfSatisfying(
                            ApiCallException.class, e -> assertThat(e.code()).isEqualTo("AccessDeniedException"));
            assertThatThrownBy(() -> unsigned.call(action, Map.of()))
                    .isInstanceOfSatisfying(ApiCallException.class, e -> assertThat(e.code())
                            .isEqualTo("MissingAuthenticationTokenException"));
        }
    }

    @Test
    void summaryIsAtMostTenSecondsOldAndNoThreadOfItOutlivesTheServer() throws Exception {
        MutableClock ownClock = MutableClock.ofNow();
        try (TestServer own = TestServer.start(ownClock)) {
            ComplianceFleet small = ComplianceFleet.create(own);
            JsonNode first = small.admin().call("Patchtide.GetFleetComplianceSummary", Map.of());
            assertThat(first.path("Total").path("NonCompliantCount").asInt()).isEqualTo(2);
            double takenAt = first.path("GeneratedAt").asDouble();

            ComplianceFleet.scan(small.db1(), List.of());
            ownClock.advance(FleetSummaryCache.MAX_AGE.minusSeconds(1));
            JsonNode cached = small.admin().call("Patchtide.GetFleetComplianceSummary", Map.of());
            assertThat(cached.path("Total").path("NonCompliantCount").asInt())
                    .as("still the counts taken 9 s ago")
                    .isEqualTo(2);
            assertThat(cached.path("GeneratedAt").asDouble()).isEqualTo(takenAt);

            ownClock.advance(Duration.ofSeconds(1));
            JsonNode recounted = small.admin().call("Patchtide.GetFleetComplianceSummary", Map.of());
            assertThat(recounted.path("Total").path("NonCompliantCount").asInt())
                    .isEqualTo(1);
            assertThat(recounted.path("GeneratedAt").asDouble())
                    .isCloseTo(ownClock.instant().toEpochMilli() / 1000.0, org.assertj.core.data.Offset.offset(0.001));
            assertThat(threadNames()).as("the dump sees virtual threads").contains("events-worker");
        }
        assertThat(threadNames()).noneMatch(name -> name.contains("fleet-summary"));
    }

    /** Every live thread's name, virtual ones included (which Thread.getAllStackTraces leaves out). */
    private static List<String> threadNames() throws java.io.IOException {
        java.nio.file.Path dump =
                java.nio.file.Files.createTempDirectory("threads").resolve("dump.json");
        java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .dumpThreads(dump.toString(), com.sun.management.HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
        List<String> names = new ArrayList<>();
        dev.patchtide.server.api.ApiJson.documents()
                .readTree(dump.toFile())
                .findValues("name")
                .forEach(n -> names.add(n.asText()));
        assertThat(names).as("the dump lists threads").isNotEmpty();
        return names;
    }

    private static int nonCompliant(ApiClient client) throws Exception {
        return client.call("Patchtide.GetFleetComplianceSummary", Map.of())
                .path("Total")
                .path("NonCompliantCount")
                .asInt();
    }

    private static void assertRefused(Map<String, Object> request, String code) {
        assertThatThrownBy(() -> list(request)).isInstanceOfSatisfying(ApiCallException.class, e -> assertThat(e.code())
                .isEqualTo(code));
    }

    private static JsonNode list(Map<String, Object> request) throws Exception {
        return admin.call("Patchtide.ListInstanceCompliance", request);
    }

    private static Map<String, Object> filters(Filter... filters) {
        return Map.of(
                "Filters", java.util.Arrays.stream(filters).map(f -> f.asMap()).toList());
    }

    private record Filter(String key, List<String> values) {
        Map<String, Object> asMap() {
            return Map.of("Key", key, "Values", values);
        }
    }

    private static Filter filter(String key, String... values) {
        return new Filter(key, List.of(values));
    }

    private static List<String> ids(JsonNode page) {
        return StreamSupport.stream(page.path("Instances").spliterator(), false)
                .map(i -> i.path("InstanceId").asText())
                .toList();
    }

    private static List<String> groups(JsonNode summary) {
        return StreamSupport.stream(summary.path("PatchGroups").spliterator(), false)
                .map(g -> g.path("PatchGroup").asText())
                .toList();
    }
}
