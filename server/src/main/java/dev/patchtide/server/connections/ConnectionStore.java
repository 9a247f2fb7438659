package dev.patchtide.server.connections;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.connections.ConnectionMessages.AuthParameters;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The {@code event_connections} table. */
final class ConnectionStore {
    private static final String COLUMNS = "name, arn, description, authorization_type, state, state_reason,"
            + " auth_public::text AS auth_public, auth_sealed, created_at, modified_at, authorized_at";

    private final ObjectMapper json;

    ConnectionStore(ObjectMapper json) {
        this.json = json;
    }

    /** False when the name is taken. */
    boolean insert(Handle h, Connection c, String keyId) {
        return h.createUpdate("INSERT INTO event_connections (name, arn, description, authorization_type, state,"
                                + " state_reason, auth_public, auth_sealed, key_id, created_at, modified_at,"
                                + " authorized_at) VALUES (:name, :arn, :description, :type, :state, :reason,"
                                + " CAST(:shown AS jsonb), :sealed, :keyId, :created, :modified, :authorized)"
                                + " ON CONFLICT (name) DO NOTHING")
                        .bindMap(values(c, keyId))
                        .execute()
                == 1;
    }

    void update(Handle h, Connection c, String keyId) {
        h.createUpdate("UPDATE event_connections SET description = :description, authorization_type = :type,"
                        + " state = :state, state_reason = :reason, auth_public = CAST(:shown AS jsonb),"
                        + " auth_sealed = :sealed, key_id = :keyId, modified_at = :modified,"
                        + " authorized_at = :authorized WHERE arn = :arn")
                .bindMap(values(c, keyId))
                .execute();
    }

    /** Records the outcome of an authorization attempt, unless the connection changed meanwhile. */
    void authorized(
            Handle h, String arn, Instant modifiedAt, ConnectionState state, Optional<String> reason, Instant now) {
        h.createUpdate("UPDATE event_connections SET state = :state, state_reason = :reason,"
                        + " authorized_at = CASE WHEN :state = 'AUTHORIZED' THEN :now ELSE authorized_at END"
                        + " WHERE arn = :arn AND modified_at = :modified AND state <> :state")
                .bind("state", state.name())
                .bind("reason", reason.orElse(null))
                .bind("now", now)
                .bind("arn", arn)
                .bind("modified", modifiedAt)
                .execute();
    }

    Optional<Connection> byName(Handle h, String name, boolean forUpdate) {
        return h.createQuery("SELECT " + COLUMNS + " FROM event_connections WHERE name = :name"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .bind("name", name)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    Optional<Connection> byArn(Handle h, String arn) {
        return h.createQuery("SELECT " + COLUMNS + " FROM event_connections WHERE arn = :arn")
                .bind("arn", arn)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    boolean delete(Handle h, String name) {
        return h.createUpdate("DELETE FROM event_connections WHERE name = :name")
                        .bind("name", name)
                        .execute()
                == 1;
    }

    /** A page in name order, after {@code afterName}. */
    List<Connection> list(Handle h, Optional<String> prefix, Optional<String> state, String afterName, int limit) {
        return h.createQuery("SELECT " + COLUMNS + " FROM event_connections WHERE name > :after"
                        + " AND starts_with(name, :prefix) AND (CAST(:state AS text) IS NULL OR state = :state)"
                        + " ORDER BY name LIMIT :limit")
                .bind("after", afterName)
                .bind("prefix", prefix.orElse(""))
                .bind("state", state.orElse(null))
                .bind("limit", limit)
                .map((rs, ctx) -> read(rs))
                .list();
    }

    /** Ids of server keys other than {@code keyId} that stored secrets were sealed with. */
    List<String> otherKeys(Handle h, String keyId) {
        return h.createQuery("SELECT DISTINCT key_id FROM event_connections WHERE key_id <> :keyId")
                .bind("keyId", keyId)
                .mapTo(String.class)
                .list();
    }

    private java.util.Map<String, Object> values(Connection c, String keyId) {
        var values = new java.util.HashMap<String, Object>();
        values.put("name", c.name());
        values.put("arn", c.arn());
        values.put("description", c.description().orElse(null));
        values.put("type", c.type().name());
        values.put("state", c.state().name());
        values.put("reason", c.stateReason().orElse(null));
        values.put("shown", write(c.shown()));
        values.put("sealed", c.sealed());
        values.put("keyId", keyId);
        values.put("created", Timestamp.from(c.createdAt()));
        values.put("modified", Timestamp.from(c.modifiedAt()));
        values.put("authorized", c.authorizedAt().map(Timestamp::from).orElse(null));
        return values;
    }

    private Connection read(ResultSet rs) throws SQLException {
        Timestamp authorized = rs.getTimestamp("authorized_at");
        return new Connection(
                rs.getString("name"),
                rs.getString("arn"),
                Optional.ofNullable(rs.getString("description")),
                AuthType.valueOf(rs.getString("authorization_type")),
                ConnectionState.valueOf(rs.getString("state")),
                Optional.ofNullable(rs.getString("state_reason")),
                parse(rs.getString("auth_public")),
                rs.getString("auth_sealed"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("modified_at").toInstant(),
                Optional.ofNullable(authorized).map(Timestamp::toInstant));
    }

    private String write(AuthParameters auth) {
        try {
            return json.writeValueAsString(auth);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private AuthParameters parse(String text) {
        try {
            return json.readValue(text, AuthParameters.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable connection auth parameters", e);
        }
    }
}
