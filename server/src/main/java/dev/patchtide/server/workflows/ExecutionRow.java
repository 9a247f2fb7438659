package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** One stored execution, as read from {@code sfn_executions}. */
record ExecutionRow(
        String arn,
        String machineArn,
        String name,
        String revisionId,
        String versionArn,
        String roleArn,
        ExecutionStatus status,
        String input,
        String output,
        String error,
        String cause,
        JsonNode snapshot,
        Instant startedAt,
        Instant stoppedAt) {

    static final String COLUMNS = "arn, machine_arn, name, revision_id, version_arn, role_arn, status, input, output,"
            + " error, cause, snapshot, started_at, stopped_at";

    static Optional<ExecutionRow> find(Handle h, String arn) {
        return h.createQuery("SELECT " + COLUMNS + " FROM sfn_executions WHERE arn = :arn")
                .bind("arn", arn)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    /** Locks the row: every step of one execution is taken under this lock, one at a time across nodes. */
    static Optional<ExecutionRow> lock(Handle h, String arn) {
        return h.createQuery("SELECT " + COLUMNS + " FROM sfn_executions WHERE arn = :arn FOR UPDATE")
                .bind("arn", arn)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    static ExecutionRow read(ResultSet rs) throws SQLException {
        String snapshot = rs.getString("snapshot");
        JsonNode tree;
        try {
            tree = snapshot == null ? null : ApiJson.documents().readTree(snapshot);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("unreadable snapshot of " + rs.getString("arn"), e);
        }
        return new ExecutionRow(
                rs.getString("arn"),
                rs.getString("machine_arn"),
                rs.getString("name"),
                rs.getString("revision_id"),
                rs.getString("version_arn"),
                rs.getString("role_arn"),
                ExecutionStatus.valueOf(rs.getString("status")),
                rs.getString("input"),
                rs.getString("output"),
                rs.getString("error"),
                rs.getString("cause"),
                tree,
                rs.getTimestamp("started_at").toInstant(),
                Optional.ofNullable(rs.getTimestamp("stopped_at"))
                        .map(java.sql.Timestamp::toInstant)
                        .orElse(null));
    }

    /** This row, RUNNING with {@code snapshot}. */
    ExecutionRow running(JsonNode snapshot) {
        return new ExecutionRow(
                arn,
                machineArn,
                name,
                revisionId,
                versionArn,
                roleArn,
                ExecutionStatus.RUNNING,
                input,
                null,
                null,
                null,
                snapshot,
                startedAt,
                null);
    }

    /** This row, ended. */
    ExecutionRow ended(ExecutionStatus to, String output, String error, String cause, Instant stoppedAt) {
        return new ExecutionRow(
                arn,
                machineArn,
                name,
                revisionId,
                versionArn,
                roleArn,
                to,
                input,
                output,
                error,
                cause,
                null,
                startedAt,
                stoppedAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    }

    String machineName() {
        return machineArn.substring(machineArn.lastIndexOf(':') + 1);
    }
}
