package dev.patchtide.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.core.patching.InstalledPackage;
import dev.patchtide.core.patching.Inventory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A tiny fleet against a real in-process server: every agent registers and its report is stored. */
class FleetSimulatorSmokeTest {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    @Test
    void twentyHostsRegisterReportAndAreQueried() throws Exception {
        FleetOptions options = FleetOptions.parse(new String[] {
            "--hosts", "20", "--concurrency", "4", "--rounds", "3", "--changed-share", "0.5", "--query-samples", "3"
        });
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            runAndCheck(options, printed);
        } finally {
            options.deleteTemporaryDataDir();
        }
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("SUMMARY hosts=20")
                .contains("without the patch list", "PatchesRequired answers");
    }

    /**
     * The server lost only a host's patch-list hash (deleted, or altered): the host meets PatchesRequired once,
     * resends its list, and the server holds the hash again, so the next scan is hash-only. The outcome is the
     * same as the stored one, so this also checks that an unchanged outcome still records the list's hash.
     */
    @Test
    void aHostWhoseStoredPatchListHashIsLostResendsTheListOnce() throws Exception {
        FleetOptions options = FleetOptions.parse(
                new String[] {"--hosts", "3", "--concurrency", "2", "--rounds", "1", "--query-samples", "1"});
        try (ServerTarget target = ServerTarget.inProcess(options.dataDir(), options.region(), 2, false)) {
            ScanRounds scans = FleetSimulator.run(
                            options, target, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                    .scans();
            var db = target.database().orElseThrow();
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement st = c.createStatement()) {
                assertThat(st.executeUpdate("UPDATE instance_patch_states SET patches_hash = NULL WHERE instance_id = '"
                                + scans.instanceId(0) + "'"))
                        .isEqualTo(1);
                assertThat(st.executeUpdate("UPDATE instance_patch_states SET patches_hash = '" + "0".repeat(64)
                                + "' WHERE instance_id = '" + scans.instanceId(1) + "'"))
                        .isEqualTo(1);
            }
            Instant now = Instant.now();
            ScanRounds.Stats second = scans.round(target.cpu(), 2, now.minusSeconds(40), now);
            assertThat(second.phase().failures()).isZero();
            assertThat(second.patchesRequired()).isEqualTo(2);
            assertThat(second.withoutPatches()).isEqualTo(1);
            assertThat(second.inventoryRequired()).isZero();
            Map<String, List<Object>> states = patchStates(db);
            for (int i = 0; i < 3; i++) {
                assertThat(states.get(scans.instanceId(i)).getFirst())
                        .as("host %d's stored patches_hash", i)
                        .isEqualTo(scans.patchesHashOf(i).orElseThrow());
            }
            now = Instant.now();
            ScanRounds.Stats third = scans.round(target.cpu(), 3, now.minusSeconds(40), now);
            assertThat(third.patchesRequired()).isZero();
            assertThat(third.withoutPatches()).isEqualTo(3);
        } finally {
            options.deleteTemporaryDataDir();
        }
    }

    /** The spliced bytes are what the agent's PatchReport map, written by its mapper, would be. */
    @Test
    void reportBodiesAreTheAgentsByteForByte() throws Exception {
        ObjectMapper json = FleetSimulator.mapper();
        FleetModel model = new FleetModel(7);
        Reports reports = new Reports(model, json, false);
        Instant start = Instant.parse("2026-11-23T04:00:00.125Z");
        Instant end = Instant.parse("2026-11-23T04:00:40.5Z");
        Reports.Times times = reports.times(start, end);
        int empty = -1;
        for (int i = 0; i < 400 && empty < 0; i++) {
            empty = model.host(i).updates().isEmpty() ? i : -1;
        }
        assertThat(empty).as("a host with no pending update").isNotNegative();
        for (int i : new int[] {0, 4, 17, empty}) {
            FleetModel.Host host = model.host(i);
            String id = String.format("mi-%017x", i);
            Reports.HostBody b = reports.prepare(id, host);
            List<InstalledPackage> inventory = reports.inventory(host);
            assertThat(new String(reports.inventoryText(host, false), StandardCharsets.UTF_8))
                    .isEqualTo(Inventory.canonical(inventory));
            assertThat(b.inventoryHash).isEqualTo(Inventory.hash(inventory));

            Map<String, Object> sent = json.readValue(reports.body(b, times, true, Optional.empty()), MAP);
            @SuppressWarnings("unchecked")
            List<String> reboot = (List<String>) sent.get("RebootRequiredPackages");
            Map<String, Object> expected = agentReport(id, host, start, end, inventory, reboot, List.of());
            assertThat(reports.body(b, times, true, Optional.empty())).isEqualTo(json.writeValueAsBytes(expected));
            expected.remove("Inventory");
            assertThat(reports.body(b, times, false, Optional.empty())).isEqualTo(json.writeValueAsBytes(expected));
            // The list last accepted: the server's hash in its place, as the agent's ScanReporter sends it.
            String hash = "0123456789abcdef".repeat(4);
            Map<String, Object> hashOnly = new LinkedHashMap<>(expected);
            hashOnly.remove("Patches");
            hashOnly.put("PatchesHash", hash);
            assertThat(reports.body(b, times, false, Optional.of(hash))).isEqualTo(json.writeValueAsBytes(hashOnly));
            assertThat(reports.body(b, times, false, Optional.of(hash)).length).isLessThan(600);
            Map<String, Object> inventoryAndHash = new LinkedHashMap<>();
            agentReport(id, host, start, end, inventory, reboot, List.of()).forEach((k, v) -> {
                if (!k.equals("Patches")) {
                    inventoryAndHash.put(k, v);
                }
            });
            inventoryAndHash.put("PatchesHash", hash);
            assertThat(reports.body(b, times, true, Optional.of(hash)))
                    .isEqualTo(json.writeValueAsBytes(inventoryAndHash));
            assertThat(reboot).hasSizeLessThanOrEqualTo(i % 17 == 0 ? 1 : 0);

            // A new advisory: one or two more security updates, the inventory unchanged.
            reports.advise(b, 7, 2);
            assertThat(reports.body(b, times, false, Optional.of(hash)))
                    .as("a hash-only body does not carry the list, whatever it is")
                    .isEqualTo(json.writeValueAsBytes(hashOnly));
            Map<String, Object> advised = json.readValue(reports.body(b, times, false, Optional.empty()), MAP);
            assertThat((List<?>) advised.get("Patches"))
                    .hasSizeBetween(host.updates().size() + 1, host.updates().size() + 2)
                    .hasSize(b.patchCount());
            assertThat(advised.get("InventoryHash")).isEqualTo(Inventory.hash(inventory));
            List<Map<String, Object>> extra = new ArrayList<>();
            for (int k = 0; k < model.installedByName(host).length; k++) {
                int pkg = model.installedByName(host)[k];
                if (b.advised.get(pkg)) {
                    FleetModel.Package p = model.pkg(pkg);
                    String version = inventory.get(k).version();
                    extra.add(Reports.patch(p, version, version + "+deb12u52", host.product(), true));
                }
            }
            // The new updates come last, in the order the advisories chose them.
            Map<String, Object> expected2 =
                    withoutInventory(agentReport(id, host, start, end, inventory, reboot, extra));
            assertThat(advised.get("Patches"))
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                    .containsExactlyInAnyOrderElementsOf(
                            (List<?>) json.convertValue(expected2, MAP).get("Patches"));
            advised.remove("Patches");
            expected2.remove("Patches");
            assertThat(advised).isEqualTo(json.convertValue(expected2, MAP));
        }
    }

    private static Map<String, Object> withoutInventory(Map<String, Object> report) {
        report.remove("Inventory");
        return report;
    }

    /** The report as PatchReport.scan builds it for an apt host. */
    private static Map<String, Object> agentReport(
            String id,
            FleetModel.Host host,
            Instant start,
            Instant end,
            List<InstalledPackage> inventory,
            List<String> reboot,
            List<Map<String, Object>> extraPatches) {
        List<Map<String, Object>> patches = new ArrayList<>();
        for (FleetModel.Package p : host.updates()) {
            patches.add(Reports.patch(p, p.installedVersion(), p.candidateVersion(), host.product(), p.security()));
        }
        patches.addAll(extraPatches);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("InstanceId", id);
        report.put("OperatingSystem", host.operatingSystem());
        report.put("OperationStartTime", start.toEpochMilli() / 1000.0);
        report.put("OperationEndTime", end.toEpochMilli() / 1000.0);
        report.put("Product", host.product());
        report.put("InstalledCount", host.installedCount());
        report.put("InventoryHash", Inventory.hash(inventory));
        report.put(
                "Inventory",
                inventory.stream()
                        .map(p -> {
                            Map<String, Object> entry = new LinkedHashMap<>();
                            entry.put("Name", p.name());
                            entry.put("Arch", p.arch());
                            entry.put("Version", p.version());
                            p.installedTime().ifPresent(t -> entry.put("InstalledTime", t.getEpochSecond()));
                            return entry;
                        })
                        .toList());
        report.put("RebootRequired", host.index() % 17 == 0);
        report.put("RebootRequiredPackages", reboot);
        report.put("Patches", patches);
        return report;
    }

    /** Per instance: patches_hash, last_scan, missing_count, evaluated_at (what a judged report rewrites). */
    private static Map<String, List<Object>> patchStates(dev.patchtide.server.db.DatabaseSettings db) throws Exception {
        Map<String, List<Object>> states = new java.util.HashMap<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement();
                ResultSet rows = st.executeQuery("SELECT instance_id, patches_hash, last_scan::text, missing_count,"
                        + " evaluated_at FROM instance_patch_states")) {
            while (rows.next()) {
                states.put(
                        rows.getString(1),
                        java.util.Arrays.asList(
                                rows.getString(2), rows.getString(3), rows.getInt(4), rows.getObject(5)));
            }
        }
        return states;
    }

    private static void runAndCheck(FleetOptions options, ByteArrayOutputStream printed) throws Exception {
        try (ServerTarget target = ServerTarget.inProcess(options.dataDir(), options.region(), 4, false)) {
            FleetSimulator.Report report =
                    FleetSimulator.run(options, target, new PrintStream(printed, true, StandardCharsets.UTF_8));

            assertThat(report.registration().failures()).isZero();
            assertThat(report.facts().failures()).isZero();
            assertThat(report.ingestRounds()).hasSize(3).allSatisfy(r -> assertThat(r.failures())
                    .isZero());
            assertThat(report.missingRows()).isPositive();
            List<ScanRounds.Stats> rounds = report.roundStats();
            // As the agent: the whole inventory on each host's first report, then its hash only.
            assertThat(rounds.get(0).inventoriesSent()).isEqualTo(20);
            assertThat(rounds.get(0).changed()).isZero();
            assertThat(rounds.get(0).newSnapshots()).isEqualTo(20);
            for (ScanRounds.Stats r : rounds.subList(1, 3)) {
                assertThat(r.inventoriesSent()).isZero();
                assertThat(r.inventoryRequired()).isZero();
                assertThat(r.changed()).isBetween(1, 19);
                assertThat(r.newSnapshots()).isGreaterThanOrEqualTo(r.changed());
            }
            // Round 3 repeats round 2's reports but for the changed hosts: only theirs are rewritten.
            assertThat(rounds.get(2).newSnapshots()).isEqualTo(rounds.get(2).changed());
            // As the agent: the patch list on each host's first report, then the server's hash while unchanged.
            assertThat(rounds.get(0).withoutPatches()).isZero();
            assertThat(rounds).allSatisfy(r -> assertThat(r.patchesRequired()).isZero());
            for (ScanRounds.Stats r : rounds.subList(1, 3)) {
                assertThat(r.withoutPatches()).isEqualTo(20 - r.changed());
            }
            // New security updates are missing patches the server now counts.
            assertThat(rounds.get(2).missing()).isGreaterThan(rounds.get(0).missing());
            var db = target.database().orElseThrow();
            FleetModel model = new FleetModel(options.seed());
            Reports reports = new Reports(model, FleetSimulator.mapper(), false);
            Map<String, Integer> hashes = new java.util.HashMap<>();
            for (int i = 0; i < 20; i++) {
                hashes.put(
                        reports.prepare("mi-00000000000000000", model.host(i)).inventoryHash,
                        model.host(i).installedCount());
            }
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement st = c.createStatement();
                    ResultSet stored = st.executeQuery("SELECT s.inventory_hash, i.package_count"
                            + " FROM instance_patch_states s JOIN installed_inventories i USING (inventory_hash)")) {
                Map<String, Integer> storedHashes = new java.util.HashMap<>();
                while (stored.next()) {
                    storedHashes.put(stored.getString(1), stored.getInt(2));
                }
                // Every host's inventory stored whole, under the hash the simulator computed as the agent does.
                assertThat(storedHashes).isEqualTo(hashes);
            }
            ScanRounds scans = report.scans();
            // Round 4: a host that sends its hash alone leaves its stored state as it was; a changed host's moves.
            Map<String, List<Object>> before = patchStates(db);
            Instant now = Instant.now();
            ScanRounds.Stats fourth = scans.round(target.cpu(), 4, now.minusSeconds(40), now);
            assertThat(fourth.phase().failures()).isZero();
            assertThat(fourth.withoutPatches()).isEqualTo(20 - fourth.changed()).isPositive();
            assertThat(fourth.changed()).isPositive();
            Map<String, List<Object>> after = patchStates(db);
            for (int i = 0; i < 20; i++) {
                String id = scans.instanceId(i);
                assertThat(after.get(id).getFirst())
                        .as("the hash the host remembers is the one stored")
                        .isEqualTo(scans.patchesHashOf(i).orElseThrow());
                if (Reports.changed(options.seed(), 4, i, options.changedShare())) {
                    assertThat(after.get(id).getFirst())
                            .isNotEqualTo(before.get(id).getFirst());
                } else {
                    assertThat(after.get(id)).as("host %d's stored state", i).isEqualTo(before.get(id));
                }
            }

            // The server lost what two unchanged hosts' hashes name: a's inventory; b's inventory and its patch
            // list's hash. Each is asked for what is missing (b twice, one thing at a time) and resends it.
            List<Integer> unchanged = new ArrayList<>();
            for (int i = 0; i < 20 && unchanged.size() < 2; i++) {
                if (!Reports.changed(options.seed(), 5, i, options.changedShare())) {
                    unchanged.add(i);
                }
            }
            assertThat(unchanged).hasSize(2);
            String a = scans.instanceId(unchanged.get(0));
            String b = scans.instanceId(unchanged.get(1));
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement st = c.createStatement()) {
                assertThat(st.executeUpdate(
                                "UPDATE instance_patch_states SET inventory_hash = NULL WHERE instance_id IN" + " ('"
                                        + a + "', '" + b + "')"))
                        .isEqualTo(2);
                assertThat(st.executeUpdate("DELETE FROM installed_inventories i WHERE NOT EXISTS"
                                + " (SELECT 1 FROM instance_patch_states s WHERE s.inventory_hash = i.inventory_hash)"))
                        .isEqualTo(2);
                assertThat(st.executeUpdate(
                                "UPDATE instance_patch_states SET patches_hash = NULL WHERE instance_id = '" + b + "'"))
                        .isEqualTo(1);
            }
            now = Instant.now();
            ScanRounds.Stats again = scans.round(target.cpu(), 5, now.minusSeconds(40), now);
            assertThat(again.phase().failures()).isZero();
            assertThat(again.inventoryRequired()).isEqualTo(2);
            assertThat(again.inventoriesSent()).isEqualTo(2);
            assertThat(again.patchesRequired()).isEqualTo(1);
            assertThat(again.withoutPatches()).isEqualTo(20 - again.changed() - 1);
            Map<String, List<Object>> restored = patchStates(db);
            for (int host : unchanged) {
                String id = scans.instanceId(host);
                // a was judged again with the list stored from its last full report: the same outcome.
                assertThat(restored.get(id).getFirst())
                        .as("the stored patches_hash of host %d", host)
                        .isEqualTo(after.get(id).getFirst())
                        .isEqualTo(scans.patchesHashOf(host).orElseThrow());
                assertThat(restored.get(id).get(2))
                        .as("missing count")
                        .isEqualTo(after.get(id).get(2));
            }
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement st = c.createStatement();
                    ResultSet stored = st.executeQuery("SELECT count(*) FROM instance_patch_states s"
                            + " JOIN installed_inventories i USING (inventory_hash)")) {
                stored.next();
                assertThat(stored.getLong(1)).isEqualTo(20);
            }
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement st = c.createStatement();
                    ResultSet states =
                            st.executeQuery("SELECT count(*), sum(missing_count) FROM instance_patch_states")) {
                states.next();
                assertThat(states.getLong(1)).isEqualTo(20);
                assertThat(states.getLong(2))
                        .as("missing patches as the last round was answered")
                        .isEqualTo(again.missing());
            }
            assertThat(report.queries())
                    .filteredOn(q -> q.query().target().startsWith("AmazonSSM."))
                    .allSatisfy(q -> assertThat(q.unavailable()).isEmpty());

            // The same server reached as a remote one (--server with an admin key): 5 more hosts.
            ServerTarget remote = ServerTarget.remote(
                    target.endpoint(),
                    target.admin().accessKeyId(),
                    target.admin().secretAccessKey());
            FleetOptions five = FleetOptions.parse(new String[] {
                "--hosts", "5", "--concurrency", "2", "--rounds", "2", "--query-samples", "2", "--installed-count-only"
            });
            FleetSimulator.Report more =
                    FleetSimulator.run(five, remote, new PrintStream(printed, true, StandardCharsets.UTF_8));
            five.deleteTemporaryDataDir();
            assertThat(more.ingestRounds())
                    .allSatisfy(r -> assertThat(r.failures()).isZero());
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement st = c.createStatement();
                    ResultSet states = st.executeQuery(
                            "SELECT count(*), count(*) FILTER (WHERE inventory_hash IS NULL) FROM instance_patch_states")) {
                states.next();
                assertThat(states.getLong(1)).isEqualTo(25);
                assertThat(states.getLong(2))
                        .as("an old agent's reports: no inventory")
                        .isEqualTo(5);
            }
            assertThat(more.roundStats()).allSatisfy(r -> {
                assertThat(r.inventoriesSent()).isZero();
                assertThat(r.withoutPatches())
                        .as("an old agent always sends its list")
                        .isZero();
                assertThat(r.patchesRequired()).isZero();
            });
        }
    }
}
