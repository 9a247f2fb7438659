package dev.patchtide.bench.fleet;

import dev.patchtide.bench.Baselines;
import dev.patchtide.core.patching.AvailablePatch;
import dev.patchtide.core.patching.BaselineEvaluator;
import dev.patchtide.core.patching.BaselineSpec;
import dev.patchtide.core.patching.PatchVerdict;
import dev.patchtide.server.db.DatabaseSettings;
import java.io.PrintStream;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.PGConnection;

/**
 * The database half of scan ingest alone, written three ways against the server's own schema and the
 * same reports, run alternately in one process so they compare fairly:
 *
 * <ul>
 *   <li>{@code per-report}: today's statements (lock the instance, patch group, three baseline look-ups,
 *       DELETE, batched INSERT, UPSERT), one transaction and one commit per report;
 *   <li>{@code per-report, multi-row INSERT}: the same with pgjdbc's {@code reWriteBatchedInserts=true};
 *   <li>{@code per-report, multi-row, async}: and {@code synchronous_commit = off};
 *   <li>{@code batched}: {@value #CHUNK} reports per transaction, DELETE ... = ANY, COPY of all their
 *       rows, one UPSERT of all their states from arrays.
 * </ul>
 *
 * No HTTP, JSON or SigV4 here: the gap between these rates and the API's is the API's overhead.
 */
final class IngestSqlComparison {
    static final int CHUNK = 100;
    /** Enough reports for a steady rate; at 100,000 hosts all of them would take a quarter of an hour. */
    static final int MAX_REPORTS = 20_000;

    /** A judged report, ready to store. */
    private record Judged(String instanceId, String os, int installed, List<PatchVerdict> missing, int security) {}

    private interface Strategy {
        void store(Connection c, List<Judged> reports, Instant now) throws SQLException;
    }

    private IngestSqlComparison() {}

    static void run(
            DatabaseSettings db, CpuMeter meter, Fleet fleet, FleetModel.Host[] hosts, int concurrency, PrintStream out)
            throws Exception {
        List<Judged> judged = judge(fleet, hosts);
        if (judged.size() > MAX_REPORTS) {
            judged = judged.subList(0, MAX_REPORTS);
        }
        int threads = Math.min(concurrency, 8);
        out.printf("%ningest SQL only (no API), %d reports, %d connections, alternating:%n", judged.size(), threads);
        String[] names = {
            "per-report (today)",
            "per-report, multi-row INSERT",
            "per-report, multi-row, async",
            "batched " + CHUNK + "/tx + COPY"
        };
        Strategy[] strategies = {
            (c, r, now) -> perReport(c, r.getFirst(), now, false),
            (c, r, now) -> perReport(c, r.getFirst(), now, false),
            (c, r, now) -> perReport(c, r.getFirst(), now, true),
            IngestSqlComparison::batched
        };
        int[] chunk = {1, 1, 1, CHUNK};
        // pgjdbc turns a JDBC batch of INSERTs into multi-row INSERTs with this URL property.
        String[] urlSuffix = {"", "reWriteBatchedInserts=true", "reWriteBatchedInserts=true", ""};
        List<List<Double>> rates = new ArrayList<>();
        for (int s = 0; s < strategies.length; s++) {
            rates.add(new ArrayList<>());
        }
        for (int round = 0; round < 3; round++) {
            for (int s = 0; s < strategies.length; s++) {
                CpuMeter.Snapshot before = meter.snapshot();
                double rate = timed(db, urlSuffix[s], judged, threads, chunk[s], strategies[s]);
                // Let the closed connections' backends exit and be reaped, so their CPU is counted once.
                Thread.sleep(500);
                CpuMeter.Usage cpu = meter.snapshot().since(before);
                rates.get(s).add(rate);
                out.printf(
                        "  round %d %-30s %8.0f reports/s; CPU ms per report: JVM (JDBC client) %.3f,"
                                + " PostgreSQL %.3f%n",
                        round + 1,
                        names[s],
                        rate,
                        cpu.jvmSeconds() * 1000 / judged.size(),
                        cpu.postgresSeconds() * 1000 / judged.size());
            }
        }
        for (int s = 0; s < strategies.length; s++) {
            double[] r = rates.get(s).stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            out.printf("SQL-ONLY %-30s median %8.0f reports/s%n", names[s], r[r.length / 2]);
        }
    }

    private static List<Judged> judge(Fleet fleet, FleetModel.Host[] hosts) {
        BaselineSpec spec = Baselines.PREDEFINED_DEBIAN;
        List<Judged> out = new ArrayList<>(hosts.length);
        LocalDate today = LocalDate.now();
        for (int i = 0; i < hosts.length; i++) {
            List<PatchVerdict> missing = BaselineEvaluator.missing(spec, available(hosts[i]), today);
            int security =
                    (int) missing.stream().filter(v -> v.patch().security()).count();
            out.add(new Judged(
                    fleet.agent(i).instanceId(),
                    hosts[i].operatingSystem(),
                    hosts[i].installedCount(),
                    missing,
                    security));
        }
        return out;
    }

    static List<AvailablePatch> available(FleetModel.Host h) {
        List<AvailablePatch> out = new ArrayList<>(h.updates().size());
        for (FleetModel.Package p : h.updates()) {
            String priority =
                    Character.toUpperCase(p.priority().charAt(0)) + p.priority().substring(1);
            out.add(new AvailablePatch(
                    p.name(),
                    p.arch(),
                    p.installedVersion(),
                    p.candidateVersion(),
                    h.product(),
                    "",
                    "",
                    priority,
                    p.section(),
                    p.security(),
                    Optional.empty(),
                    List.of()));
        }
        return out;
    }

    private static double timed(
            DatabaseSettings db, String urlSuffix, List<Judged> reports, int threads, int chunk, Strategy s)
            throws Exception {
        String url = urlSuffix.isEmpty()
                ? db.jdbcUrl()
                : db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + urlSuffix;
        AtomicInteger next = new AtomicInteger();
        Instant now = Instant.now();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    try (Connection c = DriverManager.getConnection(url, db.user(), db.password())) {
                        c.setAutoCommit(false);
                        for (int from = next.getAndAdd(chunk); from < reports.size(); from = next.getAndAdd(chunk)) {
                            s.store(c, reports.subList(from, Math.min(reports.size(), from + chunk)), now);
                            c.commit();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get();
            }
        }
        return reports.size() / ((System.nanoTime() - t0) / 1e9);
    }

    private static void perReport(Connection c, Judged r, Instant now, boolean asyncCommit) throws SQLException {
        if (asyncCommit) {
            try (var st = c.createStatement()) {
                st.execute("SET LOCAL synchronous_commit = off");
            }
        }
        try (PreparedStatement lock = c.prepareStatement("SELECT instance_id FROM managed_instances"
                + " WHERE instance_id = ? AND deregistered_at IS NULL FOR UPDATE")) {
            lock.setString(1, r.instanceId());
            lock.executeQuery().close();
        }
        try (PreparedStatement group = c.prepareStatement("SELECT tag_value FROM resource_tags WHERE resource_type ="
                + " 'ManagedInstance' AND resource_id = ? AND tag_key IN ('Patch Group', 'PatchGroup')"
                + " ORDER BY tag_key = 'Patch Group' DESC LIMIT 1")) {
            group.setString(1, r.instanceId());
            group.executeQuery().close();
        }
        try (PreparedStatement a = c.prepareStatement(
                        "SELECT baseline_id FROM patch_group_baselines WHERE patch_group = ? AND operating_system = ?");
                PreparedStatement b = c.prepareStatement(
                        "SELECT baseline_id FROM default_patch_baselines WHERE operating_system = ?");
                PreparedStatement d = c.prepareStatement("SELECT * FROM patch_baselines WHERE baseline_id = ?")) {
            a.setString(1, "");
            a.setString(2, r.os());
            a.executeQuery().close();
            b.setString(1, r.os());
            b.executeQuery().close();
            d.setString(1, "");
            d.executeQuery().close();
        }
        try (PreparedStatement del = c.prepareStatement("DELETE FROM instance_patches WHERE instance_id = ?")) {
            del.setString(1, r.instanceId());
            del.executeUpdate();
        }
        if (!r.missing().isEmpty()) {
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO instance_patches (instance_id, title, kb_id,"
                    + " classification, severity, state, compliance_level, cve_ids)"
                    + " VALUES (?, ?, ?, ?, ?, 'MISSING', ?, ?)")) {
                for (PatchVerdict v : r.missing()) {
                    AvailablePatch p = v.patch();
                    ins.setString(1, r.instanceId());
                    ins.setString(2, p.name());
                    ins.setString(3, kb(p));
                    ins.setString(4, p.section());
                    ins.setString(5, p.priority());
                    ins.setString(6, v.complianceLevel());
                    ins.setString(7, "");
                    ins.addBatch();
                }
                ins.executeBatch();
            }
        }
        try (PreparedStatement up = c.prepareStatement(UPSERT_ONE)) {
            up.setString(1, r.instanceId());
            up.setString(2, r.os());
            up.setString(3, "pb-default");
            up.setString(4, java.util.UUID.randomUUID().toString());
            up.setTimestamp(5, Timestamp.from(now));
            up.setTimestamp(6, Timestamp.from(now));
            up.setInt(7, r.installed());
            up.setInt(8, r.missing().size());
            up.setInt(9, r.security());
            up.setInt(10, r.missing().size() - r.security());
            up.executeUpdate();
        }
    }

    private static final String STATE_COLUMNS = "(instance_id, operating_system, patch_group, baseline_id,"
            + " snapshot_id, operation, operation_start_time, operation_end_time, installed_other_count,"
            + " missing_count, critical_non_compliant_count, security_non_compliant_count,"
            + " other_non_compliant_count, available_security_update_count, reboot_required)";
    private static final String ON_CONFLICT = " ON CONFLICT (instance_id) DO UPDATE SET"
            + " baseline_id = EXCLUDED.baseline_id, snapshot_id = EXCLUDED.snapshot_id,"
            + " operation_start_time = EXCLUDED.operation_start_time,"
            + " operation_end_time = EXCLUDED.operation_end_time, installed_other_count ="
            + " EXCLUDED.installed_other_count, missing_count = EXCLUDED.missing_count,"
            + " security_non_compliant_count = EXCLUDED.security_non_compliant_count,"
            + " other_non_compliant_count = EXCLUDED.other_non_compliant_count";
    private static final String UPSERT_ONE = "INSERT INTO instance_patch_states " + STATE_COLUMNS
            + " VALUES (?, ?, '', ?, ?, 'Scan', ?, ?, ?, ?, 0, ?, ?, 0, false)" + ON_CONFLICT;

    private static void batched(Connection c, List<Judged> reports, Instant now) throws SQLException {
        String[] ids = reports.stream().map(Judged::instanceId).toArray(String[]::new);
        try (PreparedStatement lock = c.prepareStatement("SELECT instance_id FROM managed_instances"
                + " WHERE instance_id = ANY(?) AND deregistered_at IS NULL ORDER BY instance_id FOR UPDATE")) {
            lock.setArray(1, c.createArrayOf("text", ids));
            lock.executeQuery().close();
        }
        try (PreparedStatement groups = c.prepareStatement("SELECT resource_id, tag_value FROM resource_tags"
                + " WHERE resource_type = 'ManagedInstance' AND resource_id = ANY(?) AND tag_key = 'Patch Group'")) {
            groups.setArray(1, c.createArrayOf("text", ids));
            groups.executeQuery().close();
        }
        try (PreparedStatement del = c.prepareStatement("DELETE FROM instance_patches WHERE instance_id = ANY(?)")) {
            del.setArray(1, c.createArrayOf("text", ids));
            del.executeUpdate();
        }
        StringBuilder rows = new StringBuilder(reports.size() * 2_000);
        for (Judged r : reports) {
            for (PatchVerdict v : r.missing()) {
                AvailablePatch p = v.patch();
                // Text COPY: our values carry no tabs, newlines or backslashes (package names and versions).
                rows.append(r.instanceId())
                        .append('\t')
                        .append(p.name())
                        .append('\t')
                        .append(kb(p))
                        .append('\t')
                        .append(p.section())
                        .append('\t')
                        .append(p.priority())
                        .append("\tMISSING\t")
                        .append(v.complianceLevel())
                        .append("\t\n");
            }
        }
        try {
            c.unwrap(PGConnection.class)
                    .getCopyAPI()
                    .copyIn(
                            "COPY instance_patches (instance_id, title, kb_id, classification, severity, state,"
                                    + " compliance_level, cve_ids) FROM STDIN",
                            new StringReader(rows.toString()));
        } catch (java.io.IOException e) {
            throw new SQLException("COPY failed", e);
        }
        try (PreparedStatement up = c.prepareStatement("INSERT INTO instance_patch_states " + STATE_COLUMNS
                + " SELECT id, os, '', 'pb-default', gen_random_uuid()::text, 'Scan', ?, ?, installed, missing, 0,"
                + " security, missing - security, 0, false FROM unnest(?::text[], ?::text[], ?::int[], ?::int[],"
                + " ?::int[]) AS u(id, os, installed, missing, security)" + ON_CONFLICT)) {
            up.setTimestamp(1, Timestamp.from(now));
            up.setTimestamp(2, Timestamp.from(now));
            up.setArray(3, c.createArrayOf("text", ids));
            up.setArray(
                    4, c.createArrayOf("text", reports.stream().map(Judged::os).toArray()));
            up.setArray(5, c.createArrayOf("int4", ints(reports, Judged::installed)));
            up.setArray(
                    6, c.createArrayOf("int4", ints(reports, r -> r.missing().size())));
            up.setArray(7, c.createArrayOf("int4", ints(reports, Judged::security)));
            up.executeUpdate();
        }
    }

    private static Object[] ints(List<Judged> reports, java.util.function.ToIntFunction<Judged> f) {
        return Arrays.stream(reports.stream().mapToInt(f).toArray()).boxed().toArray();
    }

    private static String kb(AvailablePatch p) {
        return p.name() + "." + p.arch() + ":" + p.availableVersion();
    }
}
