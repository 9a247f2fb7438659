package dev.patchtide.bench.fleet;

import dev.patchtide.server.db.DatabaseSettings;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The SQL a fleet compliance summary and a "non-compliant instances with their tags" list would need,
 * timed directly against today's schema at the simulated fleet's size (the API actions are being written
 * on another branch): what the database alone costs before HTTP, JSON and SigV4.
 */
final class SummarySqlProbe {
    private record Probe(String name, String sql, int parameters) {}

    private static final List<Probe> PROBES = List.of(
            new Probe(
                    "fleet summary: counts over every instance",
                    "SELECT count(*), count(*) FILTER (WHERE s.missing_count = 0),"
                            + " count(*) FILTER (WHERE s.missing_count > 0), coalesce(sum(s.missing_count), 0),"
                            + " coalesce(sum(s.critical_non_compliant_count), 0),"
                            + " coalesce(sum(s.security_non_compliant_count), 0)"
                            + " FROM instance_patch_states s JOIN managed_instances i USING (instance_id)"
                            + " WHERE i.deregistered_at IS NULL",
                    0),
            new Probe(
                    "fleet summary by patch group",
                    "SELECT s.patch_group, count(*), count(*) FILTER (WHERE s.missing_count > 0),"
                            + " sum(s.missing_count) FROM instance_patch_states s GROUP BY s.patch_group",
                    0),
            new Probe(
                    "non-compliant with tags, page of 50 after a random id",
                    "SELECT s.instance_id, s.missing_count, s.security_non_compliant_count,"
                            + " (SELECT jsonb_object_agg(t.tag_key, t.tag_value) FROM resource_tags t"
                            + " WHERE t.resource_type = 'ManagedInstance' AND t.resource_id = s.instance_id)"
                            + " FROM instance_patch_states s WHERE s.missing_count > 0 AND s.instance_id > ?"
                            + " ORDER BY s.instance_id LIMIT 50",
                    1),
            new Probe(
                    "non-compliant with tags in one patch group, page of 50",
                    "SELECT s.instance_id, s.missing_count,"
                            + " (SELECT jsonb_object_agg(t.tag_key, t.tag_value) FROM resource_tags t"
                            + " WHERE t.resource_type = 'ManagedInstance' AND t.resource_id = s.instance_id)"
                            + " FROM instance_patch_states s WHERE s.missing_count > 0 AND s.patch_group = ?"
                            + " ORDER BY s.instance_id LIMIT 50",
                    2));

    private SummarySqlProbe() {}

    static void run(DatabaseSettings db, List<String> instanceIds, List<String> groups, int samples, PrintStream out)
            throws SQLException {
        out.printf(
                "%nsummary SQL only (no API), %d instances, one connection, %d calls each:%n",
                instanceIds.size(), samples);
        SplittableRandom random = new SplittableRandom(1);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            try (var st = c.createStatement()) {
                st.execute("ANALYZE");
            }
            for (Probe p : PROBES) {
                long[] nanos = new long[samples];
                try (PreparedStatement ps = c.prepareStatement(p.sql())) {
                    for (int i = -Math.min(20, samples); i < samples; i++) {
                        if (p.parameters() == 1) {
                            ps.setString(1, instanceIds.get(random.nextInt(instanceIds.size())));
                        } else if (p.parameters() == 2) {
                            ps.setString(1, groups.get(random.nextInt(groups.size())));
                        }
                        long t0 = System.nanoTime();
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                rs.getString(1);
                            }
                        }
                        if (i >= 0) {
                            nanos[i] = System.nanoTime() - t0;
                        }
                    }
                }
                out.printf(
                        "SQL-ONLY %-58s p50 %7.2f ms  p99 %7.2f ms%n",
                        p.name(), Phase.percentileMillis(nanos, 50), Phase.percentileMillis(nanos, 99));
            }
        }
    }
}
