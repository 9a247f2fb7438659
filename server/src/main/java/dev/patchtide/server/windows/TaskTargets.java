package dev.patchtide.server.windows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.commands.CommandSpec.CommandTarget;
import dev.patchtide.server.windows.WindowMessages.Target;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Turns a task's {@code Targets} into what SendCommand takes. {@code WindowTargetIds} name the window's
 * registered targets (one deregistered since is left out); {@code InstanceIds} name instances directly. One
 * registered target passes its own Targets through, so the commands feature resolves them exactly as
 * SendCommand does; several (a union, where SendCommand's Targets would be an intersection) are resolved
 * here to the instances they name.
 */
final class TaskTargets {
    private static final TypeReference<List<Target>> TARGETS = new TypeReference<>() {};

    record Resolved(List<String> instanceIds, List<CommandTarget> targets) {
        boolean isEmpty() {
            return instanceIds.isEmpty() && targets.isEmpty();
        }
    }

    Resolved resolve(Handle h, String windowId, List<Target> taskTargets) {
        List<List<Target>> registered = new ArrayList<>();
        Set<String> instances = new LinkedHashSet<>();
        for (Target t : taskTargets == null ? List.<Target>of() : taskTargets) {
            List<String> values = t.values() == null ? List.of() : t.values();
            if (t.key().equals("WindowTargetIds")) {
                for (String id : values) {
                    h.createQuery("SELECT targets::text FROM maintenance_window_targets WHERE window_id = :w"
                                    + " AND window_target_id::text = :id")
                            .bind("w", windowId)
                            .bind("id", id)
                            .mapTo(String.class)
                            .findOne()
                            .ifPresent(text -> registered.add(read(text)));
                }
            } else if (t.key().equals("InstanceIds")) {
                instances.addAll(values);
            }
        }
        if (registered.size() == 1 && instances.isEmpty()) {
            return new Resolved(
                    List.of(),
                    registered.get(0).stream()
                            .map(t -> new CommandTarget(t.key(), t.values() == null ? List.of() : t.values()))
                            .toList());
        }
        for (List<Target> one : registered) {
            instances.addAll(instancesOf(h, one));
        }
        return new Resolved(List.copyOf(instances), List.of());
    }

    static List<Target> read(String text) {
        try {
            return ApiJson.mapper().readValue(text, TARGETS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored window target cannot be read", e);
        }
    }

    /** The active instances one registered target names: every one of its entries must match, as SendCommand. */
    static List<String> instancesOf(Handle h, List<Target> entries) {
        StringBuilder sql =
                new StringBuilder("SELECT instance_id FROM managed_instances m WHERE deregistered_at IS NULL");
        List<Object[]> binds = new ArrayList<>();
        int i = 0;
        for (Target t : entries) {
            List<String> values = t.values() == null ? List.of() : t.values();
            String p = "v" + i++;
            if (t.key().equals("InstanceIds")) {
                sql.append(" AND m.instance_id = ANY(:").append(p).append(")");
                binds.add(new Object[] {p, values});
            } else if (t.key().startsWith("tag:")) {
                String k = "k" + i;
                sql.append(" AND EXISTS (SELECT 1 FROM resource_tags r WHERE r.resource_type = 'ManagedInstance'"
                                + " AND r.resource_id = m.instance_id AND r.tag_key = :")
                        .append(k)
                        .append(" AND r.tag_value = ANY(:")
                        .append(p)
                        .append("))");
                binds.add(new Object[] {k, t.key().substring(4)});
                binds.add(new Object[] {p, values});
            } else if (t.key().equals("tag-key")) {
                sql.append(" AND EXISTS (SELECT 1 FROM resource_tags r WHERE r.resource_type = 'ManagedInstance'"
                                + " AND r.resource_id = m.instance_id AND r.tag_key = ANY(:")
                        .append(p)
                        .append("))");
                binds.add(new Object[] {p, values});
            } else {
                return List.of();
            }
        }
        var query = h.createQuery(sql.append(" ORDER BY instance_id").toString());
        for (Object[] b : binds) {
            if (b[1] instanceof List<?> list) {
                query.bindArray((String) b[0], String.class, list.toArray());
            } else {
                query.bind((String) b[0], (String) b[1]);
            }
        }
        return query.mapTo(String.class).list();
    }
}
