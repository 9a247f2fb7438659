package dev.patchtide.server.patching;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.patching.BaselineMessages.Definition;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Baselines, defaults per operating system, and patch-group registrations in PostgreSQL. */
final class BaselineStore {
    static final String RESOURCE_TYPE = "PatchBaseline";

    record Stored(
            String id,
            Definition definition,
            boolean predefined,
            String clientToken,
            Instant created,
            Instant modified) {}

    record GroupMapping(String patchGroup, Stored baseline) {}

    private final Jdbi jdbi;
    private final ObjectMapper json;

    BaselineStore(Jdbi jdbi, ObjectMapper json) {
        this.jdbi = jdbi;
        this.json = json;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    void insert(Handle h, String id, Definition d, boolean predefined, String clientToken, Instant now) {
        h.createUpdate("INSERT INTO patch_baselines (baseline_id, name, operating_system, definition, predefined,"
                        + " client_token, created_date, modified_date) VALUES (:id, :name, :os, :def::jsonb,"
                        + " :predefined, :token, :now, :now) ON CONFLICT (baseline_id) DO NOTHING")
                .bind("id", id)
                .bind("name", d.name())
                .bind("os", d.operatingSystem())
                .bind("def", write(d))
                .bind("predefined", predefined)
                .bind("token", clientToken)
                .bind("now", now)
                .execute();
    }

    /** A predefined baseline's rules as this version defines them (nobody else may change them). */
    void refreshPredefined(Handle h, String id, Definition d) {
        h.createUpdate("UPDATE patch_baselines SET definition = :def::jsonb WHERE baseline_id = :id AND predefined"
                        + " AND definition <> :def::jsonb")
                .bind("id", id)
                .bind("def", write(d))
                .execute();
    }

    void update(Handle h, String id, Definition d, Instant now) {
        h.createUpdate("UPDATE patch_baselines SET name = :name, definition = :def::jsonb, modified_date = :now"
                        + " WHERE baseline_id = :id")
                .bind("id", id)
                .bind("name", d.name())
                .bind("def", write(d))
                .bind("now", now)
                .execute();
    }

    void delete(Handle h, String id) {
        h.createUpdate("DELETE FROM resource_tags WHERE resource_type = :type AND resource_id = :id")
                .bind("type", RESOURCE_TYPE)
                .bind("id", id)
                .execute();
        h.createUpdate("DELETE FROM patch_baselines WHERE baseline_id = :id")
                .bind("id", id)
                .execute();
    }

    Optional<Stored> find(Handle h, String id, boolean lock) {
        return h.createQuery("SELECT * FROM patch_baselines WHERE baseline_id = :id" + (lock ? " FOR UPDATE" : ""))
                .bind("id", id)
                .map((rs, ctx) -> stored(rs))
                .findOne();
    }

    Optional<Stored> findByClientToken(Handle h, String token) {
        return h.createQuery("SELECT * FROM patch_baselines WHERE client_token = :token")
                .bind("token", token)
                .map((rs, ctx) -> stored(rs))
                .findOne();
    }

    /** One page ordered by id; {@code owner} is AWS (predefined), Self, or null for both. */
    List<Stored> list(Handle h, String namePrefix, String owner, List<String> systems, String after, int limit) {
        return h.createQuery("SELECT * FROM patch_baselines WHERE baseline_id > :after"
                        + " AND (CAST(:prefix AS text) IS NULL OR starts_with(name, :prefix))"
                        + " AND (CAST(:owner AS text) IS NULL OR predefined = (:owner = 'AWS'))"
                        + " AND (cardinality(:systems) = 0 OR operating_system = ANY(:systems))"
                        + " ORDER BY baseline_id LIMIT :limit")
                .bind("after", after)
                .bind("prefix", namePrefix)
                .bind("owner", owner)
                .bind("systems", PatchStateRows.texts(systems))
                .bind("limit", limit)
                .map((rs, ctx) -> stored(rs))
                .list();
    }

    Optional<String> defaultFor(Handle h, String os) {
        return h.createQuery("SELECT baseline_id FROM default_patch_baselines WHERE operating_system = :os")
                .bind("os", os)
                .mapTo(String.class)
                .findOne();
    }

    void setDefault(Handle h, String os, String id, boolean onlyIfUnset) {
        h.createUpdate("INSERT INTO default_patch_baselines (operating_system, baseline_id) VALUES (:os, :id)"
                        + " ON CONFLICT (operating_system) DO "
                        + (onlyIfUnset ? "NOTHING" : "UPDATE SET baseline_id = EXCLUDED.baseline_id"))
                .bind("os", os)
                .bind("id", id)
                .execute();
    }

    boolean isDefault(Handle h, String id) {
        return h.createQuery("SELECT count(*) FROM default_patch_baselines WHERE baseline_id = :id")
                        .bind("id", id)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    Optional<String> baselineForGroup(Handle h, String group, String os) {
        return h.createQuery("SELECT baseline_id FROM patch_group_baselines WHERE patch_group = :g"
                        + " AND operating_system = :os")
                .bind("g", group)
                .bind("os", os)
                .mapTo(String.class)
                .findOne();
    }

    void registerGroup(Handle h, String group, String os, String id) {
        h.createUpdate("INSERT INTO patch_group_baselines (patch_group, operating_system, baseline_id)"
                        + " VALUES (:g, :os, :id)")
                .bind("g", group)
                .bind("os", os)
                .bind("id", id)
                .execute();
    }

    int deregisterGroup(Handle h, String group, String id) {
        return h.createUpdate("DELETE FROM patch_group_baselines WHERE patch_group = :g AND baseline_id = :id")
                .bind("g", group)
                .bind("id", id)
                .execute();
    }

    List<String> groupsOf(Handle h, String id) {
        return h.createQuery("SELECT patch_group FROM patch_group_baselines WHERE baseline_id = :id ORDER BY 1")
                .bind("id", id)
                .mapTo(String.class)
                .list();
    }

    List<GroupMapping> groups(Handle h, String prefix, List<String> systems, String after, int limit) {
        return h.createQuery("SELECT g.patch_group, b.* FROM patch_group_baselines g JOIN patch_baselines b"
                        + " USING (baseline_id, operating_system) WHERE g.patch_group || '/' || g.operating_system > :after"
                        + " AND (CAST(:prefix AS text) IS NULL OR starts_with(g.patch_group, :prefix))"
                        + " AND (cardinality(:systems) = 0 OR g.operating_system = ANY(:systems))"
                        + " ORDER BY g.patch_group || '/' || g.operating_system LIMIT :limit")
                .bind("after", after)
                .bind("prefix", prefix)
                .bind("systems", PatchStateRows.texts(systems))
                .bind("limit", limit)
                .map((rs, ctx) -> new GroupMapping(rs.getString("patch_group"), stored(rs)))
                .list();
    }

    private Stored stored(ResultSet rs) throws SQLException {
        try {
            return new Stored(
                    rs.getString("baseline_id"),
                    json.readValue(rs.getString("definition"), Definition.class),
                    rs.getBoolean("predefined"),
                    rs.getString("client_token"),
                    rs.getTimestamp("created_date").toInstant(),
                    rs.getTimestamp("modified_date").toInstant());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("stored baseline " + rs.getString("baseline_id") + " is unreadable", e);
        }
    }

    private String write(Definition d) {
        try {
            return json.writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
