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
        return ConnectionState.LIFECYCLE.change(
                ConnectionState.CREATING,
                c.state(),
                () -> h.createUpdate("INSERT INTO event_connections (name, arn, description,"
                                        + " authorization_type, state, state_reason, auth_public, auth_sealed, key_id,"
                                        + " created_at, modified_at, authorized_at, authorize_after) VALUES (:name, :arn,"
                                        + " :description, :type, :state, :reason, CAST(:shown AS jsonb), :sealed, :keyId,"
                                        + " :created, :modified, :authorized, CASE WHEN :state = 'AUTHORIZING' THEN"
                                        + " CAST(:modified AS timestamptz) END) ON CONFLICT (name) DO NOTHING")
                                .bindMap(values(c, keyId))
                                .execute()
                        == 1);
    }

    /**
     * Stores {@code c} over the connection, which must still be in {@code from} (the caller locked it). An
     * AUTHORIZING connection is due for the authorizer at once.
     */
    void update(Handle h, ConnectionState from, Connection c, String keyId) {
        boolean changes = from != c.state();
        if (changes) {
            ConnectionState.LIFECYCLE.require(from, c.state());
        }
        var values = values(c, keyId);
        values.put("from", from.name());
        int updated = h.createUpdate("UPDATE event_connections SET description = :description,"
                        + " authorization_type = :type, state = :state, state_reason = :reason,"
                        + " auth_public = CAST(:shown AS jsonb), auth_sealed = :sealed, key_id = :keyId,"
                        + " modified_at = :modified, authorized_at = :authorized, authorize_after = CASE WHEN"
                        + " :state = 'AUTHORIZING' THEN CAST(:modified AS timestamptz) END"
                        + " WHERE arn = :arn AND state = :from")
                .bindMap(values)
                .execute();
        if (updated != 1) {
            throw new IllegalStateException("connection " + c.name() + " left state " + from + " while locked");
        }
        if (changes) {
            ConnectionState.LIFECYCLE.taken(from, c.state());
        }
    }

    /**
     * Records the outcome of an authorization attempt on the connection as it was read ({@code c}), unless it
     * changed meanwhile (updated, or moved by another node).
     */
    void authorized(Handle h, Connection c, ConnectionState to, Optional<String> reason, Instant now) {
        if (c.state() == to) {
            return;
        }
        ConnectionState.LIFECYCLE.change(
                c.state(),
                to,
                () -> h.createUpdate("UPDATE event_connections SET state = :to, state_reason = :reason,"
                                        + " authorize_after = NULL,"
                                        + " authorized_at = CASE WHEN :to = 'AUTHORIZED' THEN :now ELSE authorized_at"
                                        + " END WHERE arn = :arn AND modified_at = :modified AND state = :from")
                                .bind("to", to.name())
                                .bind("from", c.state().name())
                                .bind("reason", reason.orElse(null))
                                .bind("now", now)
                                .bind("arn", c.arn())
                                .bind("modified", c.modifiedAt())
                                .execute()
                        == 1);
    }

    /**
     * Claims up to {@code limit} AUTHORIZING connections whose authorization is due, holding each until
     * {@code leaseEnd} (a node that dies meanwhile leaves it due again then). Several nodes claim side by side.
     */
    List<Connection> claimAuthorizing(Handle h, Instant now, Instant leaseEnd, int limit) {
        return h.createQuery("UPDATE event_connections SET authorize_after = :leaseEnd WHERE name IN (SELECT name"
                        + " FROM event_connections WHERE state = 'AUTHORIZING' AND coalesce(authorize_after,"
                        + " '-infinity') <= :now ORDER BY authorize_after NULLS FIRST LIMIT :limit"
                        + " FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS)
                .bind("now", now)
                .bind("leaseEnd", leaseEnd)
                .bind("limit", limit)
                .map((rs, ctx) -> read(rs))
                .list();
    }

    /** Tries the authorization of {@code c} again at {@code at}, unless it changed meanwhile. */
    void authorizeLater(Handle h, Connection c, Instant at) {
        h.createUpdate("UPDATE event_connections SET authorize_after = :at WHERE arn = :arn"
                        + " AND modified_at = :modified AND state = 'AUTHORIZING'")
                .bind("at", at)
                .bind("arn", c.arn())
                .bind("modified", c.modifiedAt())
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

    /** Deletes the connection, which must still be in {@code from} (the caller locked it). */
    boolean delete(Handle h, String name, ConnectionState from) {
        return ConnectionState.LIFECYCLE.change(
                from,
                ConnectionState.DELETING,
                () -> h.createUpdate("DELETE FROM event_connections WHERE name = :name AND state = :from")
                                .bind("name", name)
                                .bind("from", from.name())
                                .execute()
                        == 1);
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
