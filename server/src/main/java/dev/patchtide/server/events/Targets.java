package dev.patchtide.server.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.events.TargetMessages.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** Rule targets, stored as PutTargets received them. Methods run in the caller's transaction. */
final class Targets {
    private final ObjectMapper json;

    Targets(ObjectMapper json) {
        this.json = json;
    }

    void put(Handle handle, String bus, String rule, Target target) {
        handle.createUpdate("INSERT INTO event_targets (bus, rule, target_id, arn, spec)"
                        + " VALUES (:bus, :rule, :id, :arn, CAST(:spec AS jsonb))"
                        + " ON CONFLICT (bus, rule, target_id) DO UPDATE SET arn = EXCLUDED.arn, spec = EXCLUDED.spec")
                .bind("bus", bus)
                .bind("rule", rule)
                .bind("id", target.id())
                .bind("arn", target.arn())
                .bind("spec", write(target))
                .execute();
    }

    boolean remove(Handle handle, String bus, String rule, String id) {
        return handle.createUpdate("DELETE FROM event_targets WHERE bus = :bus AND rule = :rule AND target_id = :id")
                        .bind("bus", bus)
                        .bind("rule", rule)
                        .bind("id", id)
                        .execute()
                > 0;
    }

    int count(Handle handle, String bus, String rule) {
        return handle.createQuery("SELECT count(*) FROM event_targets WHERE bus = :bus AND rule = :rule")
                .bind("bus", bus)
                .bind("rule", rule)
                .mapTo(Integer.class)
                .one();
    }

    List<Target> list(Handle handle, String bus, String rule, String afterId, int limit) {
        return handle.createQuery("SELECT spec::text FROM event_targets WHERE bus = :bus AND rule = :rule"
                        + " AND target_id > :after ORDER BY target_id LIMIT :limit")
                .bind("bus", bus)
                .bind("rule", rule)
                .bind("after", afterId)
                .bind("limit", limit)
                .mapTo(String.class)
                .map(this::read)
                .list();
    }

    Map<String, List<Target>> forBus(Handle handle, String bus) {
        Map<String, List<Target>> byRule = new HashMap<>();
        handle.createQuery(
                        "SELECT rule, spec::text AS spec FROM event_targets WHERE bus = :bus ORDER BY rule, target_id")
                .bind("bus", bus)
                .map((rs, ctx) -> Map.entry(rs.getString("rule"), read(rs.getString("spec"))))
                .forEach(e -> byRule.computeIfAbsent(e.getKey(), r -> new ArrayList<>())
                        .add(e.getValue()));
        return byRule;
    }

    List<String> rulesByTarget(Handle handle, String bus, String arn, String afterRule, int limit) {
        return handle.createQuery("SELECT DISTINCT rule FROM event_targets WHERE bus = :bus AND arn = :arn"
                        + " AND rule > :after ORDER BY rule LIMIT :limit")
                .bind("bus", bus)
                .bind("arn", arn)
                .bind("after", afterRule)
                .bind("limit", limit)
                .mapTo(String.class)
                .list();
    }

    private String write(Target target) {
        try {
            return json.writeValueAsString(target);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private Target read(String spec) {
        try {
            return json.readValue(spec, Target.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable stored target", e);
        }
    }
}
