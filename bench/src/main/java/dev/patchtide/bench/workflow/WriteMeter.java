package dev.patchtide.bench.workflow;

import dev.patchtide.server.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a phase made PostgreSQL write: WAL bytes (the LSN moved) and what the history and execution tables grew by,
 * TOAST and indexes included. Bytes per execution say what a start costs the disk, which the clock does not show
 * on a shared machine.
 */
final class WriteMeter {
    record Snapshot(long walLsn, long historyBytes, long executionBytes, long eventBytes) {}

    private final DatabaseSettings db;

    WriteMeter(DatabaseSettings db) {
        this.db = db;
    }

    Snapshot snapshot() {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint,"
                        + " pg_total_relation_size('sfn_history_steps'), pg_total_relation_size('sfn_executions'),"
                        + " pg_total_relation_size('events')")) {
            rs.next();
            return new Snapshot(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read PostgreSQL's write figures: " + e.getMessage(), e);
        }
    }

    static String perExecution(Snapshot before, Snapshot after, int executions) {
        return String.format(
                "WAL %,d B, history table %,d B, executions table %,d B, events table %,d B per execution",
                (after.walLsn() - before.walLsn()) / executions,
                (after.historyBytes() - before.historyBytes()) / executions,
                (after.executionBytes() - before.executionBytes()) / executions,
                (after.eventBytes() - before.eventBytes()) / executions);
    }
}
