package dev.patchtide.server.connections;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** The {@code api_destinations} table. */
final class ApiDestinationStore {
    private static final String COLUMNS = "name, arn, description, connection_arn, invocation_endpoint, http_method,"
            + " rate_limit_per_second, created_at, modified_at";

    private ApiDestinationStore() {}

    /** False when the name is taken. */
    static boolean insert(Handle h, ApiDestination d) {
        return h.createUpdate("INSERT INTO api_destinations (name, arn, description, connection_arn,"
                                + " invocation_endpoint, http_method, rate_limit_per_second, state, created_at,"
                                + " modified_at) VALUES (:name, :arn, :description, :connection, :endpoint, :method,"
                                + " :rate, 'ACTIVE', :created, :modified) ON CONFLICT (name) DO NOTHING")
                        .bindMap(values(d))
                        .execute()
                == 1;
    }

    static void update(Handle h, ApiDestination d) {
        h.createUpdate("UPDATE api_destinations SET description = :description, connection_arn = :connection,"
                        + " invocation_endpoint = :endpoint, http_method = :method, rate_limit_per_second = :rate,"
                        + " modified_at = :modified WHERE name = :name")
                .bindMap(values(d))
                .execute();
    }

    static Optional<ApiDestination> byName(Handle h, String name, boolean forUpdate) {
        return h.createQuery("SELECT " + COLUMNS + " FROM api_destinations WHERE name = :name"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .bind("name", name)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    static Optional<ApiDestination> byArn(Handle h, String arn) {
        return h.createQuery("SELECT " + COLUMNS + " FROM api_destinations WHERE arn = :arn")
                .bind("arn", arn)
                .map((rs, ctx) -> read(rs))
                .findOne();
    }

    static boolean delete(Handle h, String name) {
        return h.createUpdate("DELETE FROM api_destinations WHERE name = :name")
                        .bind("name", name)
                        .execute()
                == 1;
    }

    static List<ApiDestination> list(
            Handle h, Optional<String> prefix, Optional<String> connectionArn, String afterName, int limit) {
        return h.createQuery("SELECT " + COLUMNS + " FROM api_destinations WHERE name > :after"
                        + " AND starts_with(name, :prefix)"
                        + " AND (CAST(:connection AS text) IS NULL OR connection_arn = :connection)"
                        + " ORDER BY name LIMIT :limit")
                .bind("after", afterName)
                .bind("prefix", prefix.orElse(""))
                .bind("connection", connectionArn.orElse(null))
                .bind("limit", limit)
                .map((rs, ctx) -> read(rs))
                .list();
    }

    private static java.util.Map<String, Object> values(ApiDestination d) {
        var values = new java.util.HashMap<String, Object>();
        values.put("name", d.name());
        values.put("arn", d.arn());
        values.put("description", d.description().orElse(null));
        values.put("connection", d.connectionArn());
        values.put("endpoint", d.invocationEndpoint());
        values.put("method", d.httpMethod());
        values.put("rate", d.rateLimitPerSecond());
        values.put("created", Timestamp.from(d.createdAt()));
        values.put("modified", Timestamp.from(d.modifiedAt()));
        return values;
    }

    private static ApiDestination read(ResultSet rs) throws SQLException {
        return new ApiDestination(
                rs.getString("name"),
                rs.getString("arn"),
                Optional.ofNullable(rs.getString("description")),
                rs.getString("connection_arn"),
                rs.getString("invocation_endpoint"),
                rs.getString("http_method"),
                rs.getInt("rate_limit_per_second"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("modified_at").toInstant());
    }
}
