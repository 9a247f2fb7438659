package dev.patchtide.bench.fleet;

import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.db.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

/**
 * pg_stat_statements on the embedded PostgreSQL: which statements a phase spent the database's time
 * on. The library must be preloaded, so the cluster is started, configured and restarted once.
 */
public final class StatementStats {
    private StatementStats() {}

    static EmbeddedPostgres startWithStatements(Path cluster) throws IOException {
        EmbeddedPostgres first = EmbeddedPostgres.start(cluster);
        try (Connection c = DriverManager.getConnection(first.jdbcUrl("postgres"), first.user(), first.password());
                Statement st = c.createStatement()) {
            st.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
            st.execute("ALTER SYSTEM SET pg_stat_statements.track = 'all'");
        } catch (SQLException e) {
            first.close();
            throw new IOException("cannot configure pg_stat_statements", e);
        }
        first.close();
        return EmbeddedPostgres.start(cluster);
    }

    static void createExtension(DatabaseSettings db) {
        run(db, st -> st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"));
    }

    public static void reset(DatabaseSettings db) {
        run(db, st -> st.execute("SELECT pg_stat_statements_reset()"));
    }

    /** The statements that took the most execution time since the last reset, with calls and means. */
    public static void print(DatabaseSettings db, int top, PrintStream out) {
        run(db, st -> {
            try (ResultSet rs = st.executeQuery("SELECT calls, total_exec_time, mean_exec_time, rows,"
                    + " left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q FROM pg_stat_statements"
                    + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    + " ORDER BY total_exec_time DESC LIMIT " + top)) {
                out.printf("  %9s %10s %9s %10s  %s%n", "calls", "total ms", "mean ms", "rows", "statement");
                while (rs.next()) {
                    out.printf(
                            "  %9d %10.0f %9.3f %10d  %s%n",
                            rs.getLong(1), rs.getDouble(2), rs.getDouble(3), rs.getLong(4), rs.getString(5));
                }
            }
        });
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of one statement, to show which plan a slow statement gets. */
    static void explain(DatabaseSettings db, String sql, PrintStream out) {
        run(db, st -> {
            try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
                while (rs.next()) {
                    out.println("  " + rs.getString(1));
                }
            }
        });
    }

    /**
     * The plan PostgreSQL uses once a server-prepared statement switches to its generic plan (pgjdbc
     * prepares on the server after 5 executions; PostgreSQL may go generic after 5 more).
     */
    static void explainGeneric(DatabaseSettings db, String parameterised, String argument, PrintStream out) {
        run(db, st -> {
            st.execute("SET plan_cache_mode = force_generic_plan");
            st.execute("PREPARE generic_probe(text) AS " + parameterised);
            try (ResultSet rs =
                    st.executeQuery("EXPLAIN (ANALYZE, BUFFERS) EXECUTE generic_probe('" + argument + "')")) {
                while (rs.next()) {
                    out.println("  " + rs.getString(1));
                }
            }
        });
    }

    /**
     * A table's and its TOAST table's writes since the cluster started (inserts, updates, HOT updates, deletes) and
     * sizes: how many TOAST values each stored row costs, and whether the frequent updates stay HOT.
     */
    static void tableWrites(DatabaseSettings db, String table, PrintStream out) {
        run(db, st -> {
            try (ResultSet rs = st.executeQuery("SELECT c.relname, t.n_tup_ins, t.n_tup_upd, t.n_tup_hot_upd,"
                    + " t.n_tup_del, pg_relation_size(c.oid) FROM pg_class c JOIN pg_stat_all_tables t ON t.relid ="
                    + " c.oid WHERE c.oid = '" + table + "'::regclass OR c.oid = (SELECT reltoastrelid FROM pg_class"
                    + " WHERE oid = '" + table + "'::regclass) ORDER BY c.oid = '" + table + "'::regclass DESC")) {
                out.printf(
                        "  %-28s %10s %10s %10s %10s %12s%n",
                        "table", "inserted", "updated", "HOT", "deleted", "bytes");
                while (rs.next()) {
                    out.printf(
                            "  %-28s %10d %10d %10d %10d %12d%n",
                            rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6));
                }
            }
        });
    }

    /** A table's write counters at one moment (pg_stat_all_tables, since the cluster started). */
    record TableWrites(long inserted, long updated, long hot, long deleted) {
        String since(TableWrites before) {
            long updates = updated - before.updated;
            long hotUpdates = hot - before.hot;
            return String.format(
                    "inserted %d, updated %d, HOT %d (%.1f %%), not HOT %d, deleted %d",
                    inserted - before.inserted,
                    updates,
                    hotUpdates,
                    updates == 0 ? 0.0 : 100.0 * hotUpdates / updates,
                    updates - hotUpdates,
                    deleted - before.deleted);
        }
    }

    /**
     * The table's counters once every backend has handed in its own: a backend sends them at most once a second,
     * and one gone idle within that second only after 10 s more, so this waits 11 s first.
     */
    static TableWrites settledTableWrites(DatabaseSettings db, String table) {
        try {
            Thread.sleep(11_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TableWrites[] out = new TableWrites[1];
        run(db, st -> {
            try (ResultSet rs = st.executeQuery("SELECT n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del"
                    + " FROM pg_stat_all_tables WHERE relid = '" + table + "'::regclass")) {
                rs.next();
                out[0] = new TableWrites(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
        });
        return out[0];
    }

    /** Scans of each of the table's indexes since the cluster started, by index name. */
    static Map<String, Long> settledIndexScans(DatabaseSettings db, String table) {
        settledTableWrites(db, table);
        Map<String, Long> out = new TreeMap<>();
        run(db, st -> {
            try (ResultSet rs = st.executeQuery("SELECT indexrelname, idx_scan FROM pg_stat_all_indexes"
                    + " WHERE relid = '" + table + "'::regclass")) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        });
        return out;
    }

    private interface Work {
        void run(Statement st) throws SQLException;
    }

    private static void run(DatabaseSettings db, Work work) {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement()) {
            work.run(st);
        } catch (SQLException e) {
            throw new IllegalStateException("pg_stat_statements: " + e.getMessage(), e);
        }
    }
}
