package dev.patchtide.server.commands;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.commands.CommandSpec.CommandTarget;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Turns SendCommand's InstanceIds or Targets into the registered instances to run on, in a stable order. Targets
 * entries are ANDed; the values of one entry are ORed. Unknown or deregistered instance ids are refused.
 */
final class Targeting {
    static final int MAX_INSTANCE_IDS = 50;
    private static final String TAG_PREFIX = "tag:";

    private Targeting() {}

    /** Instance ids and their host names, in the order invocations are released. */
    static Map<String, String> resolve(Handle handle, List<String> instanceIds, List<CommandTarget> targets) {
        boolean byIds = !instanceIds.isEmpty();
        boolean byTargets = !targets.isEmpty();
        if (byIds == byTargets) {
            throw ApiException.validation(
                    byIds
                            ? "Specify either InstanceIds or Targets, not both."
                            : "Specify the managed nodes to run the command on with InstanceIds or Targets.");
        }
        if (byIds) {
            return named(handle, checkedIds(handle, instanceIds));
        }
        StringBuilder where = new StringBuilder("i.deregistered_at IS NULL");
        Map<String, Object> binds = new LinkedHashMap<>();
        List<String> explicit = null;
        for (int n = 0; n < targets.size(); n++) {
            CommandTarget target = targets.get(n);
            String key = target.key() == null ? "" : target.key();
            List<String> values = target.values() == null ? List.of() : target.values();
            if (values.isEmpty()) {
                throw ApiException.validation("Target " + Validation.clip(key) + " needs at least one value.");
            }
            if (key.equals("InstanceIds")) {
                if (targets.size() > 1) {
                    throw ApiException.validation("A target with key InstanceIds cannot be combined with others.");
                }
                explicit = values;
            } else if (key.startsWith(TAG_PREFIX) && key.length() > TAG_PREFIX.length()) {
                where.append(" AND EXISTS (SELECT 1 FROM resource_tags t WHERE t.resource_type = 'ManagedInstance'"
                                + " AND t.resource_id = i.instance_id AND t.tag_key = :k")
                        .append(n)
                        .append(" AND t.tag_value = ANY(:v")
                        .append(n)
                        .append("))");
                binds.put("k" + n, key.substring(TAG_PREFIX.length()));
                binds.put("v" + n, values.toArray(String[]::new));
            } else if (key.equals("tag-key")) {
                where.append(" AND EXISTS (SELECT 1 FROM resource_tags t WHERE t.resource_type = 'ManagedInstance'"
                                + " AND t.resource_id = i.instance_id AND t.tag_key = ANY(:v")
                        .append(n)
                        .append("))");
                binds.put("v" + n, values.toArray(String[]::new));
            } else {
                throw ApiException.validation("Target key " + Validation.clip(key)
                        + " is not supported; use InstanceIds, tag:<key> or tag-key.");
            }
        }
        if (explicit != null) {
            if (explicit.size() > MAX_INSTANCE_IDS) {
                throw ApiException.validation(
                        "A target with key InstanceIds takes at most " + MAX_INSTANCE_IDS + " values.");
            }
            for (String id : explicit) {
                if (!CommandMessages.INSTANCE_ID.matcher(id).matches()) {
                    throw new ApiException.NotFound(
                            "InvalidInstanceId",
                            "Instance Id " + Validation.clip(id) + " is not a valid managed node id.");
                }
            }
            return named(handle, checkedIds(handle, explicit));
        }
        var query = handle.createQuery("SELECT i.instance_id, coalesce(i.computer_name, '') AS name"
                + " FROM managed_instances i WHERE " + where + " ORDER BY i.instance_id");
        binds.forEach(query::bind);
        Map<String, String> found = new LinkedHashMap<>();
        query.map((rs, ctx) -> Map.entry(rs.getString("instance_id"), rs.getString("name")))
                .forEach(e -> found.put(e.getKey(), e.getValue()));
        return found;
    }

    private static List<String> checkedIds(Handle handle, List<String> ids) {
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            if (!seen.add(id)) {
                throw new ApiException.Invalid(
                        "DuplicateInstanceId", "Instance Id " + Validation.clip(id) + " is listed more than once.");
            }
        }
        Set<String> registered = new HashSet<>(handle.createQuery("SELECT instance_id FROM managed_instances"
                        + " WHERE instance_id = ANY(:ids) AND deregistered_at IS NULL")
                .bindArray("ids", String.class, ids)
                .mapTo(String.class)
                .list());
        List<String> missing = new ArrayList<>();
        for (String id : ids) {
            if (!registered.contains(id)) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            throw new ApiException.NotFound(
                    "InvalidInstanceId",
                    "Instances " + Validation.clip(missing) + " not in a valid state for account; they are not"
                            + " registered managed nodes.");
        }
        return ids;
    }

    private static Map<String, String> named(Handle handle, List<String> ids) {
        Map<String, String> names = new java.util.HashMap<>();
        handle.createQuery("SELECT instance_id, coalesce(computer_name, '') AS name FROM managed_instances"
                        + " WHERE instance_id = ANY(:ids)")
                .bindArray("ids", String.class, ids)
                .map((rs, ctx) -> Map.entry(rs.getString("instance_id"), rs.getString("name")))
                .forEach(e -> names.put(e.getKey(), e.getValue()));
        Map<String, String> ordered = new LinkedHashMap<>();
        ids.forEach(id -> ordered.put(id, names.getOrDefault(id, "")));
        return ordered;
    }
}
