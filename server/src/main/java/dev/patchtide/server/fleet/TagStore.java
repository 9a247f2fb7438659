package dev.patchtide.server.fleet;

import dev.patchtide.server.db.PgArrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Tags of any resource type, keyed by (type, id, key). Methods run inside the caller's transaction. */
public final class TagStore {

    /** Adds or overwrites the given tags. */
    void put(Handle handle, String resourceType, String resourceId, List<Tag> tags) {
        if (tags == null || tags.isEmpty()) {
            return;
        }
        PreparedBatch batch = handle.prepareBatch("INSERT INTO resource_tags (resource_type, resource_id, tag_key,"
                + " tag_value) VALUES (:type, :id, :key, :value)"
                + " ON CONFLICT (resource_type, resource_id, tag_key) DO UPDATE SET tag_value = EXCLUDED.tag_value");
        for (Tag tag : tags) {
            batch.bind("type", resourceType)
                    .bind("id", resourceId)
                    .bind("key", tag.key())
                    .bind("value", tag.value())
                    .add();
        }
        batch.execute();
    }

    /** As {@link #put} for tags whose keys are distinct (another resource's tags), in one statement. */
    void putDistinct(Handle handle, String resourceType, String resourceId, List<Tag> tags) {
        if (tags == null || tags.isEmpty()) {
            return;
        }
        handle.createUpdate(
                        "INSERT INTO resource_tags (resource_type, resource_id, tag_key, tag_value)"
                                + " SELECT :type, :id, t.k, t.v FROM unnest(:keys::text[], :values::text[]) AS t(k, v)"
                                + " ON CONFLICT (resource_type, resource_id, tag_key) DO UPDATE SET tag_value = EXCLUDED.tag_value")
                .bind("type", resourceType)
                .bind("id", resourceId)
                .bind("keys", PgArrays.texts(tags.stream().map(Tag::key).toArray(String[]::new)))
                .bind("values", PgArrays.texts(tags.stream().map(Tag::value).toArray(String[]::new)))
                .execute();
    }

    /**
     * As {@link #putDistinct} for many resources at once (resource id to its tags, each list with distinct keys), in
     * one statement.
     */
    void putDistinctAll(Handle handle, String resourceType, Map<String, List<Tag>> tagsById) {
        List<String> ids = new java.util.ArrayList<>();
        List<String> keys = new java.util.ArrayList<>();
        List<String> values = new java.util.ArrayList<>();
        tagsById.forEach((id, tags) -> tags.forEach(tag -> {
            ids.add(id);
            keys.add(tag.key());
            values.add(tag.value());
        }));
        if (ids.isEmpty()) {
            return;
        }
        handle.createUpdate(
                        "INSERT INTO resource_tags (resource_type, resource_id, tag_key, tag_value)"
                                + " SELECT :type, t.id, t.k, t.v"
                                + " FROM unnest(:ids::text[], :keys::text[], :values::text[]) AS t(id, k, v)"
                                + " ON CONFLICT (resource_type, resource_id, tag_key) DO UPDATE SET tag_value = EXCLUDED.tag_value")
                .bind("type", resourceType)
                .bind("ids", PgArrays.texts(ids.toArray(String[]::new)))
                .bind("keys", PgArrays.texts(keys.toArray(String[]::new)))
                .bind("values", PgArrays.texts(values.toArray(String[]::new)))
                .execute();
    }

    void remove(Handle handle, String resourceType, String resourceId, List<String> keys) {
        handle.createUpdate("DELETE FROM resource_tags WHERE resource_type = :type AND resource_id = :id"
                        + " AND tag_key = ANY(:keys)")
                .bind("type", resourceType)
                .bind("id", resourceId)
                .bindArray("keys", String.class, keys)
                .execute();
    }

    List<Tag> list(Handle handle, String resourceType, String resourceId) {
        return handle.createQuery("SELECT tag_key, tag_value FROM resource_tags WHERE resource_type = :type"
                        + " AND resource_id = :id ORDER BY tag_key")
                .bind("type", resourceType)
                .bind("id", resourceId)
                .map((rs, ctx) -> new Tag(rs.getString("tag_key"), rs.getString("tag_value")))
                .list();
    }

    int count(Handle handle, String resourceType, String resourceId) {
        return handle.createQuery(
                        "SELECT count(*) FROM resource_tags WHERE resource_type = :type AND resource_id = :id")
                .bind("type", resourceType)
                .bind("id", resourceId)
                .mapTo(Integer.class)
                .one();
    }

    Map<String, List<Tag>> forResources(Handle handle, String resourceType, List<String> resourceIds) {
        Map<String, List<Tag>> byId = new HashMap<>();
        if (resourceIds.isEmpty()) {
            return byId;
        }
        handle.createQuery("SELECT resource_id, tag_key, tag_value FROM resource_tags WHERE resource_type = :type"
                        + " AND resource_id = ANY(:ids) ORDER BY resource_id, tag_key")
                .bind("type", resourceType)
                .bindArray("ids", String.class, resourceIds)
                .map((rs, ctx) -> Map.entry(
                        rs.getString("resource_id"), new Tag(rs.getString("tag_key"), rs.getString("tag_value"))))
                .forEach(e -> byId.computeIfAbsent(e.getKey(), id -> new java.util.ArrayList<>())
                        .add(e.getValue()));
        return byId;
    }
}
