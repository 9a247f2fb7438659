package dev.patchtide.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.core.patching.Inventory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent sends of a scan report, against a server stand-in that keeps what it accepted. */
class ScanReporterTest {
    static final String INSTANCE = "mi-0123456789abcdef0";
    static final ObjectMapper JSON = JsonMapper.builder().build();

    /**
     * Holds one instance's inventory hash and patch-list hash as the server does; its patch-list hash is its
     * own (not the agent's digest), as the real one is opaque to the agent.
     */
    static final class Server implements ScanReporter.Sender {
        final List<JsonNode> requests = new ArrayList<>();
        Optional<String> inventoryHash = Optional.empty();
        Optional<String> patchesHash = Optional.empty();
        boolean returnsPatchesHash = true;
        /** The real server checks the patch list before the inventory; either order must do. */
        boolean patchesFirst = false;

        @Override
        public JsonNode send(Map<String, Object> request) throws ApiCallException {
            JsonNode r = JSON.valueToTree(request);
            requests.add(r);
            String inventory = r.path("InventoryHash").asText();
            boolean inventoryKnown = r.has("Inventory") || inventoryHash.equals(Optional.of(inventory));
            if (!inventoryKnown && !patchesFirst) {
                throw new ApiCallException("InventoryRequired", "send the inventory", 400);
            }
            String judged;
            if (r.has("Patches")) {
                judged = Inventory.sha256("server:" + r.get("Patches"));
            } else if (r.has("PatchesHash")
                    && patchesHash.equals(Optional.of(r.get("PatchesHash").asText()))) {
                judged = patchesHash.get();
            } else {
                throw new ApiCallException("PatchesRequired", "send the patch list", 400);
            }
            if (!inventoryKnown) {
                throw new ApiCallException("InventoryRequired", "send the inventory", 400);
            }
            inventoryHash = Optional.of(inventory);
            patchesHash = Optional.of(judged);
            ObjectNode answer = JSON.createObjectNode().put("MissingCount", 1);
            if (returnsPatchesHash) {
                answer.put("PatchesHash", judged);
            }
            return answer;
        }

        JsonNode last() {
            return requests.getLast();
        }
    }

    static Map<String, Object> report(String inventoryHash, String... updates) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("InstanceId", INSTANCE);
        report.put("OperatingSystem", "DEBIAN");
        report.put("InstalledCount", 2);
        report.put("InventoryHash", inventoryHash);
        report.put("Inventory", List.of(Map.of("Name", "bash"), Map.of("Name", "curl")));
        report.put("RebootRequired", false);
        List<Map<String, Object>> patches = new ArrayList<>();
        for (String name : updates) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("Name", name);
            p.put("AvailableVersion", "2.0");
            patches.add(p);
        }
        report.put("Patches", patches);
        return report;
    }

    static final String INVENTORY = "a".repeat(64);

    private static List<String> members(JsonNode request) {
        List<String> names = new ArrayList<>();
        request.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void anUnchangedPatchListIsNamedByTheServersHash(@TempDir Path dir) throws Exception {
        Server server = new Server();
        ScanReporter reporter = new ScanReporter(INSTANCE, new AcceptedScanFile(dir));
        Map<String, Object> first = report(INVENTORY, "openssl", "curl");

        reporter.report(first, server);
        assertThat(members(server.last())).contains("Inventory", "Patches").doesNotContain("PatchesHash");
        assertThat(first).containsKeys("Inventory", "Patches"); // the caller's map is left as it was

        // The next scan finds the same updates: the server's hash in the list's place, nothing else changed.
        JsonNode verdict = reporter.report(report(INVENTORY, "openssl", "curl"), server);
        assertThat(server.requests).hasSize(2);
        assertThat(members(server.last()))
                .containsExactly(
                        "InstanceId",
                        "OperatingSystem",
                        "InstalledCount",
                        "InventoryHash",
                        "RebootRequired",
                        "PatchesHash");
        assertThat(server.last().get("PatchesHash").asText()).isEqualTo(server.patchesHash.orElseThrow());
        assertThat(verdict.get("PatchesHash").asText()).isEqualTo(server.patchesHash.orElseThrow());
        assertThat(reporter.accepted().patches().orElseThrow().serverHash()).isEqualTo(server.patchesHash.get());
    }

    @Test
    void aChangedPatchListIsSentWhole(@TempDir Path dir) throws Exception {
        Server server = new Server();
        ScanReporter reporter = new ScanReporter(INSTANCE, new AcceptedScanFile(dir));
        reporter.report(report(INVENTORY, "openssl"), server);
        String before = server.patchesHash.orElseThrow();

        reporter.report(report(INVENTORY, "openssl", "sudo"), server);
        assertThat(members(server.last())).contains("Patches").doesNotContain("PatchesHash", "Inventory");
        assertThat(server.patchesHash).isPresent().isNotEqualTo(Optional.of(before));

        // Back to the first list: still sent whole, the agent remembers only the last list accepted.
        reporter.report(report(INVENTORY, "openssl"), server);
        assertThat(members(server.last())).contains("Patches").doesNotContain("PatchesHash");
        reporter.report(report(INVENTORY, "openssl"), server);
        assertThat(members(server.last())).contains("PatchesHash").doesNotContain("Patches");
        assertThat(server.requests).hasSize(4);
    }

    @Test
    void patchesRequiredIsAnsweredWithTheList(@TempDir Path dir) throws Exception {
        Server server = new Server();
        ScanReporter reporter = new ScanReporter(INSTANCE, new AcceptedScanFile(dir));
        reporter.report(report(INVENTORY, "openssl"), server);
        server.patchesHash = Optional.empty(); // a restored database

        JsonNode verdict = reporter.report(report(INVENTORY, "openssl"), server);

        assertThat(server.requests).hasSize(3);
        assertThat(members(server.requests.get(1))).contains("PatchesHash").doesNotContain("Patches");
        assertThat(members(server.requests.get(2))).contains("Patches").doesNotContain("PatchesHash", "Inventory");
        assertThat(verdict.get("PatchesHash").asText()).isEqualTo(server.patchesHash.orElseThrow());
        reporter.report(report(INVENTORY, "openssl"), server);
        assertThat(members(server.last())).contains("PatchesHash").doesNotContain("Patches");
    }

    @Test
    void aReportMeetingBothRequirementsIsSentThreeTimesAtMost(@TempDir Path dir) throws Exception {
        Server server = new Server();
        ScanReporter reporter = new ScanReporter(INSTANCE, new AcceptedScanFile(dir));
        reporter.report(report(INVENTORY, "openssl"), server);
        server.inventoryHash = Optional.empty();
        server.patchesHash = Optional.empty();

        reporter.report(report(INVENTORY, "openssl"), server);

        assertThat(server.requests.subList(1, 4))
                .extracting(ScanReporterTest::members)
                .satisfiesExactly(
                        hashesOnly ->
                                assertThat(hashesOnly).contains("PatchesHash").doesNotContain("Inventory"),
                        withInventory -> assertThat(withInventory)
                                .contains("Inventory", "PatchesHash")
                                .doesNotContain("Patches"),
                        withBoth -> assertThat(withBoth)
                                .contains("Inventory", "Patches")
                                .doesNotContain("PatchesHash"));

        // The other order (the real server's): the list is asked for first, then the inventory.
        server.patchesFirst = true;
        server.inventoryHash = Optional.empty();
        server.patchesHash = Optional.empty();
        reporter.report(report(INVENTORY, "openssl"), server);
        assertThat(server.requests.subList(4, 7))
                .extracting(ScanReporterTest::members)
                .satisfiesExactly(
                        hashesOnly ->
                                assertThat(hashesOnly).contains("PatchesHash").doesNotContain("Inventory"),
                        withPatches ->
                                assertThat(withPatches).contains("Patches").doesNotContain("Inventory"),
                        withBoth -> assertThat(withBoth)
                                .contains("Inventory", "Patches")
                                .doesNotContain("PatchesHash"));
        assertThat(server.requests).hasSize(7);
    }

    @Test
    void anAnswerThatAsksForWhatWasSentIsThrownAndNothingIsRemembered(@TempDir Path dir) throws Exception {
        AcceptedScanFile file = new AcceptedScanFile(dir);
        ScanReporter reporter = new ScanReporter(INSTANCE, file);
        List<Map<String, Object>> sent = new ArrayList<>();
        ScanReporter.Sender refusing = request -> {
            sent.add(request);
            throw new ApiCallException("PatchesRequired", "send the patch list", 400);
        };

        assertThatThrownBy(() -> reporter.report(report(INVENTORY, "openssl"), refusing))
                .isInstanceOf(ApiCallException.class)
                .hasMessageContaining("PatchesRequired");
        assertThat(sent).hasSize(1); // the list was in it: resending cannot help
        assertThat(reporter.accepted()).isEqualTo(AcceptedScan.NONE);
        assertThat(Files.exists(file.path())).isFalse();
    }

    @Test
    void aServerWithoutPatchesHashAlwaysGetsTheList(@TempDir Path dir) throws Exception {
        Server older = new Server();
        older.returnsPatchesHash = false;
        ScanReporter reporter = new ScanReporter(INSTANCE, new AcceptedScanFile(dir));
        reporter.report(report(INVENTORY, "openssl"), older);
        reporter.report(report(INVENTORY, "openssl"), older);

        assertThat(members(older.last())).contains("Patches").doesNotContain("PatchesHash", "Inventory");
        assertThat(reporter.accepted().patches()).isEmpty();
    }

    @Test
    void aMalformedServerHashIsNotSentBack(@TempDir Path dir) throws Exception {
        ScanReporter reporter = new ScanReporter(INSTANCE, new AcceptedScanFile(dir));
        ScanReporter.Sender odd = request -> JSON.createObjectNode().put("PatchesHash", "NOT-A-HASH");
        reporter.report(report(INVENTORY, "openssl"), odd);
        assertThat(reporter.accepted().patches()).isEmpty();
        assertThat(reporter.accepted().inventoryHash()).contains(INVENTORY);
    }

    @Test
    void aRestartedAgentSendsHashesOnlyForItsOwnInstance(@TempDir Path dir) throws Exception {
        Server server = new Server();
        new ScanReporter(INSTANCE, new AcceptedScanFile(dir)).report(report(INVENTORY, "openssl"), server);

        new ScanReporter(INSTANCE, new AcceptedScanFile(dir)).report(report(INVENTORY, "openssl"), server);
        assertThat(server.requests).hasSize(2);
        assertThat(members(server.last())).contains("PatchesHash").doesNotContain("Patches", "Inventory");

        // Registered again: a new instance, for which the old hashes mean nothing.
        ScanReporter other = new ScanReporter("mi-0fedcba9876543210", new AcceptedScanFile(dir));
        assertThat(other.accepted()).isEqualTo(AcceptedScan.NONE);
    }

    @Test
    void theDigestIsTheAgentsOwnAndFollowsTheList(@TempDir Path dir) {
        ScanReporter reporter = new ScanReporter(INSTANCE, new AcceptedScanFile(dir));
        String digest = reporter.digest(report(INVENTORY, "openssl", "curl").get("Patches"));
        assertThat(digest).matches("[0-9a-f]{64}");
        assertThat(reporter.digest(report(INVENTORY, "openssl", "curl").get("Patches")))
                .isEqualTo(digest);
        assertThat(reporter.digest(report(INVENTORY, "curl", "openssl").get("Patches")))
                .isNotEqualTo(digest);
        assertThat(reporter.digest(List.of())).isNotEqualTo(digest);
    }
}
