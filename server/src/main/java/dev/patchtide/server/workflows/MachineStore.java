package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL of state machines, their revisions and published versions. */
final class MachineStore {
    private MachineStore() {}

    /** A machine as stored, with the definition and role of its current revision (or of the version asked for). */
    record Machine(
            String arn,
            String name,
            String type,
            String revisionId,
            String status,
            String definition,
            String roleArn,
            JsonNode logging,
            JsonNode tracing,
            Instant createdAt,
            Optional<Integer> version,
            String description) {}

    private static final String SELECT = "SELECT m.arn, m.name, m.type, m.status, m.logging, m.tracing,"
            + " r.revision_id, r.definition, r.role_arn, %s AS created, %s AS version, %s AS description"
            + " FROM sfn_machines m ";

    static Optional<Machine> find(Handle h, String arn, boolean lock) {
        return h.createQuery(String.format(SELECT, "m.created_at", "NULL::integer", "''")
                        + "JOIN sfn_revisions r ON r.revision_id = m.revision_id WHERE m.arn = :arn"
                        + (lock ? " FOR UPDATE OF m" : ""))
                .bind("arn", arn)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    static Optional<Machine> findVersion(Handle h, String arn, int version) {
        return h.createQuery(String.format(SELECT, "v.created_at", "v.version", "v.description")
                        + "JOIN sfn_versions v ON v.machine_arn = m.arn AND v.version = :version"
                        + " JOIN sfn_revisions r ON r.revision_id = v.revision_id WHERE m.arn = :arn")
                .bind("arn", arn)
                .bind("version", version)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    private static Machine read(ResultSet rs) throws SQLException {
        int version = rs.getInt("version");
        Optional<Integer> v = rs.wasNull() ? Optional.empty() : Optional.of(version);
        return new Machine(
                rs.getString("arn"),
                rs.getString("name"),
                rs.getString("type"),
                rs.getString("revision_id"),
                rs.getString("status"),
                rs.getString("definition"),
                rs.getString("role_arn"),
                json(rs.getString("logging")),
                json(rs.getString("tracing")),
                rs.getTimestamp("created").toInstant(),
                v,
                rs.getString("description"));
    }

    private static JsonNode json(String text) throws SQLException {
        try {
            return text == null ? null : ApiJson.documents().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("unreadable stored configuration", e);
        }
    }

    static void insertRevision(
            Handle h, String revisionId, String machineArn, String definition, String roleArn, Instant at) {
        h.createUpdate("INSERT INTO sfn_revisions (revision_id, machine_arn, definition, role_arn, created_at)"
                        + " VALUES (:id, :machine, :definition, :role, :at)")
                .bind("id", revisionId)
                .bind("machine", machineArn)
                .bind("definition", definition)
                .bind("role", roleArn)
                .bind("at", Timestamp.from(at))
                .execute();
    }

    /** Inserts a machine; false when one of that name exists. */
    static boolean insert(
            Handle h,
            String arn,
            String name,
            String type,
            String revisionId,
            JsonNode logging,
            JsonNode tracing,
            Instant at) {
        return h.createUpdate("INSERT INTO sfn_machines (arn, name, type, revision_id, status, logging, tracing,"
                                + " created_at) VALUES (:arn, :name, :type, :revision, 'ACTIVE',"
                                + " CAST(:logging AS jsonb), CAST(:tracing AS jsonb), :at)"
                                + " ON CONFLICT DO NOTHING")
                        .bind("arn", arn)
                        .bind("name", name)
                        .bind("type", type)
                        .bind("revision", revisionId)
                        .bind("logging", logging == null ? null : logging.toString())
                        .bind("tracing", tracing == null ? null : tracing.toString())
                        .bind("at", Timestamp.from(at))
                        .execute()
                == 1;
    }

    static void setRevision(Handle h, String arn, String revisionId, Instant at) {
        h.createUpdate("UPDATE sfn_machines SET revision_id = :revision, updated_at = :at WHERE arn = :arn")
                .bind("revision", revisionId)
                .bind("at", Timestamp.from(at))
                .bind("arn", arn)
                .execute();
    }

    /** Publishes the machine's current revision as its next version; answers the version number. */
    static int publish(Handle h, String arn, String description, Instant at) {
        int version = h.createQuery("UPDATE sfn_machines SET next_version = next_version + 1 WHERE arn = :arn"
                        + " RETURNING next_version - 1")
                .bind("arn", arn)
                .mapTo(Integer.class)
                .one();
        h.createUpdate("INSERT INTO sfn_versions (machine_arn, version, revision_id, description, created_at)"
                        + " SELECT arn, :version, revision_id, :description, :at FROM sfn_machines WHERE arn = :arn")
                .bind("version", version)
                .bind("description", description == null ? "" : description)
                .bind("at", Timestamp.from(at))
                .bind("arn", arn)
                .execute();
        return version;
    }

    static List<Machine> page(Handle h, String afterName, int limit) {
        return h.createQuery(String.format(SELECT, "m.created_at", "NULL::integer", "''")
                        + "JOIN sfn_revisions r ON r.revision_id = m.revision_id WHERE m.name > :after"
                        + " ORDER BY m.name LIMIT :limit")
                .bind("after", afterName)
                .bind("limit", limit)
                .map((rs, ctx) -> read(rs))
                .list();
    }

    static boolean hasRunning(Handle h, String machineArn) {
        return h.createQuery("SELECT EXISTS (SELECT 1 FROM sfn_executions WHERE machine_arn = :arn"
                        + " AND status = 'RUNNING')")
                .bind("arn", machineArn)
                .mapTo(Boolean.class)
                .one();
    }

    static void delete(Handle h, String arn) {
        h.createUpdate("DELETE FROM sfn_machines WHERE arn = :arn")
                .bind("arn", arn)
                .execute();
        h.createUpdate("DELETE FROM sfn_tags WHERE resource_arn = :arn")
                .bind("arn", arn)
                .execute();
    }

    static void markDeleting(Handle h, String arn) {
        h.createUpdate("UPDATE sfn_machines SET status = 'DELETING' WHERE arn = :arn")
                .bind("arn", arn)
                .execute();
    }

    /** A machine deleted while executions ran goes with its last one. */
    static void dropIfDeletingAndIdle(Handle h, String arn) {
        boolean deleting = h.createQuery("SELECT status = 'DELETING' FROM sfn_machines WHERE arn = :arn")
                .bind("arn", arn)
                .mapTo(Boolean.class)
                .findOne()
                .orElse(false);
        if (deleting && !hasRunning(h, arn)) {
            delete(h, arn);
        }
    }
}
