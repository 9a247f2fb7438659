package dev.patchtide.bench.fleet;

import dev.patchtide.server.db.DatabaseSettings;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a round cost PostgreSQL besides its statements: WAL (records, full-page images, bytes), checkpoints and the
 * buffers they wrote, and autovacuum/autoanalyze runs. Backends hand in their counters at most once a second (idle
 * ones after 10 s), so a round's figures can be off by the last second's; checkpoints and autovacuum runs count
 * when they finish.
 */
final class WalStats {
    private WalStats() {}

    /** The cluster-wide counters, and per table of this database its autovacuum and autoanalyze runs. */
    record Snapshot(
            long records,
            long fullPageImages,
            long bytes,
            long buffersFull,
            long timedCheckpoints,
            long requestedCheckpoints,
            long checkpointerWrites,
            long bgwriterWrites,
            long backendWrites,
            long backendReads,
            Map<String, long[]> maintenance,
            List<String> running) {

        String since(Snapshot before, int round, int calls) {
            StringBuilder vacuums = new StringBuilder();
            maintenance.forEach((table, runs) -> {
                long[] was = before.maintenance.getOrDefault(table, new long[2]);
                if (runs[0] != was[0] || runs[1] != was[1]) {
                    vacuums.append(String.format(" %s %d/%d", table, runs[0] - was[0], runs[1] - was[1]));
                }
            });
            long fpi = fullPageImages - before.fullPageImages;
            long walBytes = bytes - before.bytes;
            return String.format(
                    "  round %d, WAL: %d records (%.2f a call), %d full-page images (%.2f a call), %.1f MB (%.1f kB a"
                            + " call), %d waits for a full WAL buffer; checkpoints %d timed, %d requested; buffers"
                            + " written by checkpointer %d, bgwriter %d, backends %d; blocks backends read in (not in shared_buffers) %d; autovacuum/autoanalyze runs"
                            + " ended:%s; running at the end: %s",
                    round,
                    records - before.records,
                    (records - before.records) / (double) calls,
                    fpi,
                    fpi / (double) calls,
                    walBytes / 1e6,
                    walBytes / 1e3 / calls,
                    buffersFull - before.buffersFull,
                    timedCheckpoints - before.timedCheckpoints,
                    requestedCheckpoints - before.requestedCheckpoints,
                    checkpointerWrites - before.checkpointerWrites,
                    bgwriterWrites - before.bgwriterWrites,
                    backendWrites - before.backendWrites,
                    backendReads - before.backendReads,
                    vacuums.isEmpty() ? " none" : vacuums,
                    running.isEmpty() ? "none" : String.join(", ", running));
        }
    }

    static Snapshot snapshot(DatabaseSettings db) {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement()) {
            long[] wal = new long[10];
            try (ResultSet rs = st.executeQuery("SELECT w.wal_records, w.wal_fpi, w.wal_bytes, w.wal_buffers_full,"
                    + " c.num_timed, c.num_requested, c.buffers_written, b.buffers_clean,"
                    + " (SELECT coalesce(sum(writes), 0) FROM pg_stat_io WHERE object = 'relation'"
                    + " AND backend_type IN ('client backend', 'autovacuum worker')),"
                    + " (SELECT coalesce(sum(reads), 0) FROM pg_stat_io WHERE object = 'relation'"
                    + " AND backend_type = 'client backend')"
                    + " FROM pg_stat_wal w, pg_stat_checkpointer c, pg_stat_bgwriter b")) {
                rs.next();
                for (int i = 0; i < wal.length; i++) {
                    wal[i] = rs.getLong(i + 1);
                }
            }
            Map<String, long[]> maintenance = new TreeMap<>();
            try (ResultSet rs =
                    st.executeQuery("SELECT relname, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables")) {
                while (rs.next()) {
                    maintenance.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
            List<String> running = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT query FROM pg_stat_activity"
                    + " WHERE backend_type = 'autovacuum worker' AND query <> '' ORDER BY query")) {
                while (rs.next()) {
                    running.add(rs.getString(1));
                }
            }
            return new Snapshot(
                    wal[0],
                    wal[1],
                    wal[2],
                    wal[3],
                    wal[4],
                    wal[5],
                    wal[6],
                    wal[7],
                    wal[8],
                    wal[9],
                    maintenance,
                    running);
        } catch (SQLException e) {
            throw new IllegalStateException("WAL statistics: " + e.getMessage(), e);
        }
    }

    /** The settings that decide checkpoints, full-page images and autovacuum, as the running server has them. */
    static void printSettings(DatabaseSettings db, PrintStream out) {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT string_agg(name || '=' || current_setting(name), ', '"
                        + " ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'max_wal_size',"
                        + " 'checkpoint_timeout', 'checkpoint_completion_target', 'wal_compression', 'wal_buffers',"
                        + " 'full_page_writes', 'fsync', 'synchronous_commit', 'autovacuum_vacuum_cost_limit',"
                        + " 'autovacuum_vacuum_insert_scale_factor', 'autovacuum_vacuum_scale_factor')")) {
            rs.next();
            out.println("PostgreSQL settings: " + rs.getString(1));
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL settings: " + e.getMessage(), e);
        }
    }
}
