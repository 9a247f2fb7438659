package dev.patchtide.server.documents;

import dev.patchtide.server.documents.DocumentContent.Format;
import dev.patchtide.server.fleet.Tag;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Documents and their versions in PostgreSQL. Every method runs in the caller's transaction. */
final class DocumentStore {
    static final String RESOURCE_TYPE = "Document";

    /** A document as a whole. */
    record Header(
            String name,
            String owner,
            boolean builtIn,
            String documentType,
            String displayName,
            String targetType,
            int defaultVersion,
            int latestVersion,
            int nextVersion,
            Instant created) {}

    /** One version: the content as given, and parsed (compact JSON). */
    record Version(
            String name,
            int version,
            String versionName,
            String content,
            Format format,
            String body,
            String sha256,
            Instant created) {}

    /** What ListDocuments filters on; null or empty means any. */
    record Filter(String owner, List<String> namePrefixes, List<String> types, Map<String, List<String>> tags) {}

    Optional<Header> find(Handle h, String name, boolean lock) {
        return h.createQuery("SELECT * FROM documents WHERE name = :name" + (lock ? " FOR UPDATE" : ""))
                .bind("name", name)
                .map((rs, ctx) -> header(rs))
                .findOne();
    }

    Optional<Version> version(Handle h, String name, int version) {
        return h.createQuery("SELECT * FROM document_versions WHERE name = :name AND version = :version")
                .bind("name", name)
                .bind("version", version)
                .map((rs, ctx) -> version(rs))
                .findOne();
    }

    Optional<Version> versionNamed(Handle h, String name, String versionName) {
        return h.createQuery("SELECT * FROM document_versions WHERE name = :name AND version_name = :vname")
                .bind("name", name)
                .bind("vname", versionName)
                .map((rs, ctx) -> version(rs))
                .findOne();
    }

    List<Version> versions(Handle h, String name, int after, int limit) {
        return h.createQuery("SELECT * FROM document_versions WHERE name = :name AND version > :after"
                        + " ORDER BY version LIMIT :limit")
                .bind("name", name)
                .bind("after", after)
                .bind("limit", limit)
                .map((rs, ctx) -> version(rs))
                .list();
    }

    boolean hasContent(Handle h, String name, String sha256) {
        return h.createQuery("SELECT count(*) FROM document_versions WHERE name = :name AND sha256 = :sha")
                        .bind("name", name)
                        .bind("sha", sha256)
                        .mapTo(Integer.class)
                        .one()
                > 0;
    }

    int countOwn(Handle h) {
        return h.createQuery("SELECT count(*) FROM documents WHERE NOT built_in")
                .mapTo(Integer.class)
                .one();
    }

    int countVersions(Handle h, String name) {
        return h.createQuery("SELECT count(*) FROM document_versions WHERE name = :name")
                .bind("name", name)
                .mapTo(Integer.class)
                .one();
    }

    /** Inserts a new document; false when one of that name exists (also one created concurrently). */
    boolean insert(Handle h, Header d) {
        return h.createUpdate("INSERT INTO documents (name, owner, built_in, document_type, display_name,"
                                + " target_type, default_version, latest_version, next_version, created_date) VALUES (:name,"
                                + " :owner, :builtIn, :type, :display, :target, :default, :latest, :next, :created)"
                                + " ON CONFLICT (name) DO NOTHING")
                        .bind("name", d.name())
                        .bind("owner", d.owner())
                        .bind("builtIn", d.builtIn())
                        .bind("type", d.documentType())
                        .bind("display", d.displayName())
                        .bind("target", d.targetType())
                        .bind("default", d.defaultVersion())
                        .bind("latest", d.latestVersion())
                        .bind("next", d.nextVersion())
                        .bind("created", d.created())
                        .execute()
                == 1;
    }

    void insert(Handle h, Version v) {
        h.createUpdate("INSERT INTO document_versions (name, version, version_name, content, format, body, sha256,"
                        + " created_date) VALUES (:name, :version, :vname, :content, :format, :body, :sha, :created)")
                .bind("name", v.name())
                .bind("version", v.version())
                .bind("vname", v.versionName())
                .bind("content", v.content())
                .bind("format", v.format().name())
                .bind("body", v.body())
                .bind("sha", v.sha256())
                .bind("created", v.created())
                .execute();
    }

    /** Sets the version numbers and the names shown for the whole document. */
    void update(Handle h, Header d) {
        h.createUpdate("UPDATE documents SET default_version = :default, latest_version = :latest,"
                        + " next_version = :next, display_name = :display, target_type = :target WHERE name = :name")
                .bind("name", d.name())
                .bind("default", d.defaultVersion())
                .bind("latest", d.latestVersion())
                .bind("next", d.nextVersion())
                .bind("display", d.displayName())
                .bind("target", d.targetType())
                .execute();
    }

    void delete(Handle h, String name) {
        h.createUpdate("DELETE FROM resource_tags WHERE resource_type = :type AND resource_id = :name")
                .bind("type", RESOURCE_TYPE)
                .bind("name", name)
                .execute();
        h.createUpdate("DELETE FROM documents WHERE name = :name")
                .bind("name", name)
                .execute();
    }

    void deleteVersion(Handle h, String name, int version) {
        h.createUpdate("DELETE FROM document_versions WHERE name = :name AND version = :version")
                .bind("name", name)
                .bind("version", version)
                .execute();
    }

    int highestVersion(Handle h, String name) {
        return h.createQuery("SELECT max(version) FROM document_versions WHERE name = :name")
                .bind("name", name)
                .mapTo(Integer.class)
                .one();
    }

    /** Writes a built-in document as one version 1, replacing what an older server wrote. */
    void putBuiltIn(Handle h, Header d, Version v) {
        h.createUpdate("INSERT INTO documents (name, owner, built_in, document_type, default_version,"
                        + " latest_version, next_version, created_date) VALUES (:name, :owner, true, :type, 1, 1, 2,"
                        + " :created) ON CONFLICT (name) DO NOTHING")
                .bind("name", d.name())
                .bind("owner", d.owner())
                .bind("type", d.documentType())
                .bind("created", d.created())
                .execute();
        h.createUpdate("INSERT INTO document_versions (name, version, content, format, body, sha256, created_date)"
                        + " VALUES (:name, 1, :content, :format, :body, :sha, :created) ON CONFLICT (name, version)"
                        + " DO UPDATE SET content = EXCLUDED.content, format = EXCLUDED.format, body = EXCLUDED.body,"
                        + " sha256 = EXCLUDED.sha256 WHERE document_versions.sha256 <> EXCLUDED.sha256")
                .bind("name", v.name())
                .bind("content", v.content())
                .bind("format", v.format().name())
                .bind("body", v.body())
                .bind("sha", v.sha256())
                .bind("created", v.created())
                .execute();
    }

    /** A page of documents after {@code after} in name order, each with its default version. */
    List<Map.Entry<Header, Version>> list(Handle h, Filter f, String after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT d.*, v.version, v.version_name, v.content, v.format, v.body,"
                + " v.sha256, v.created_date AS version_created FROM documents d JOIN document_versions v ON"
                + " v.name = d.name AND v.version = d.default_version WHERE d.name > :after");
        if (f.owner() != null) {
            sql.append(" AND d.built_in = :builtIn");
        }
        if (!f.namePrefixes().isEmpty()) {
            sql.append(" AND EXISTS (SELECT 1 FROM unnest(CAST(:prefixes AS text[])) p WHERE starts_with(d.name, p))");
        }
        if (!f.types().isEmpty()) {
            sql.append(" AND d.document_type = ANY(:types)");
        }
        int i = 0;
        for (String key : f.tags().keySet()) {
            sql.append(" AND EXISTS (SELECT 1 FROM resource_tags t WHERE t.resource_type = 'Document'"
                            + " AND t.resource_id = d.name AND t.tag_key = :tagKey")
                    .append(i)
                    .append(f.tags().get(key).isEmpty() ? ")" : " AND t.tag_value = ANY(:tagValues" + i + "))");
            i++;
        }
        sql.append(" ORDER BY d.name LIMIT :limit");
        var query = h.createQuery(sql.toString())
                .bind("after", after)
                .bind("builtIn", "Amazon".equals(f.owner()))
                .bindArray("prefixes", String.class, f.namePrefixes())
                .bindArray("types", String.class, f.types())
                .bind("limit", limit);
        i = 0;
        for (Map.Entry<String, List<String>> tag : f.tags().entrySet()) {
            query.bind("tagKey" + i, tag.getKey()).bindArray("tagValues" + i, String.class, tag.getValue());
            i++;
        }
        return query.map((rs, ctx) -> Map.entry(header(rs), listedVersion(rs))).list();
    }

    /** The tags of the named documents, by name. */
    Map<String, List<Tag>> tags(Handle h, List<String> names) {
        Map<String, List<Tag>> byName = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return byName;
        }
        h.createQuery("SELECT resource_id, tag_key, tag_value FROM resource_tags WHERE resource_type = :type"
                        + " AND resource_id = ANY(:names) ORDER BY resource_id, tag_key")
                .bind("type", RESOURCE_TYPE)
                .bindArray("names", String.class, names)
                .map((rs, ctx) -> Map.entry(
                        rs.getString("resource_id"), new Tag(rs.getString("tag_key"), rs.getString("tag_value"))))
                .forEach(e -> byName.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                        .add(e.getValue()));
        return byName;
    }

    private static Header header(ResultSet rs) throws SQLException {
        return new Header(
                rs.getString("name"),
                rs.getString("owner"),
                rs.getBoolean("built_in"),
                rs.getString("document_type"),
                rs.getString("display_name"),
                rs.getString("target_type"),
                rs.getInt("default_version"),
                rs.getInt("latest_version"),
                rs.getInt("next_version"),
                rs.getTimestamp("created_date").toInstant());
    }

    private static Version version(ResultSet rs) throws SQLException {
        return new Version(
                rs.getString("name"),
                rs.getInt("version"),
                rs.getString("version_name"),
                rs.getString("content"),
                Format.valueOf(rs.getString("format")),
                rs.getString("body"),
                rs.getString("sha256"),
                rs.getTimestamp("created_date").toInstant());
    }

    private static Version listedVersion(ResultSet rs) throws SQLException {
        return new Version(
                rs.getString("name"),
                rs.getInt("version"),
                rs.getString("version_name"),
                rs.getString("content"),
                Format.valueOf(rs.getString("format")),
                rs.getString("body"),
                rs.getString("sha256"),
                rs.getTimestamp("version_created").toInstant());
    }
}
