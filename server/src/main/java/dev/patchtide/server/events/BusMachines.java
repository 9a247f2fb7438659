package dev.patchtide.server.events;

import dev.patchtide.server.events.TargetMessages.Target;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * The compiled rules of each bus, kept in memory. Every rule, target or archive change bumps the bus's
 * {@code rules_version} in its own transaction, so a publisher on any server node reads one small row to
 * know whether its copy is current, and recompiles from the database when it is not.
 */
final class BusMachines {
    static final String RULE = "r:";
    static final String ARCHIVE = "a:";

    record RuleTargets(String name, String arn, List<Target> targets) {}

    record CompiledBus(
            String bus,
            long version,
            RuleMatcher matcher,
            Map<String, RuleTargets> rules,
            List<String> archivesForAll) {}

    private final Map<String, CompiledBus> cache = new ConcurrentHashMap<>();
    private final EventsArns arns;
    private final Targets targets;

    BusMachines(EventsArns arns, Targets targets) {
        this.arns = arns;
        this.targets = targets;
    }

    /** The current compiled rules of the bus; empty when there is no such bus. */
    Optional<CompiledBus> forBus(Handle handle, String bus) {
        Optional<Long> version = handle.createQuery("SELECT rules_version FROM event_buses WHERE name = :bus")
                .bind("bus", bus)
                .mapTo(Long.class)
                .findOne();
        if (version.isEmpty()) {
            cache.remove(bus);
            return Optional.empty();
        }
        CompiledBus cached = cache.get(bus);
        if (cached != null && cached.version() == version.get()) {
            return Optional.of(cached);
        }
        CompiledBus compiled = compile(handle, bus, version.get());
        cache.put(bus, compiled);
        return Optional.of(compiled);
    }

    /** Marks the bus's rules changed; call in the transaction that changes them (it also locks the bus row). */
    static void bump(Handle handle, String bus) {
        handle.createUpdate("UPDATE event_buses SET rules_version = rules_version + 1 WHERE name = :bus")
                .bind("bus", bus)
                .execute();
    }

    private CompiledBus compile(Handle handle, String bus, long version) {
        Map<String, String> patterns = new HashMap<>();
        Map<String, RuleTargets> rules = new HashMap<>();
        Map<String, List<Target>> targetsByRule = targets.forBus(handle, bus);
        handle.createQuery("SELECT name, event_pattern, state FROM event_rules WHERE bus = :bus")
                .bind("bus", bus)
                .map((rs, ctx) ->
                        new String[] {rs.getString("name"), rs.getString("event_pattern"), rs.getString("state")})
                .forEach(row -> {
                    rules.put(
                            row[0],
                            new RuleTargets(
                                    row[0], arns.rule(bus, row[0]), targetsByRule.getOrDefault(row[0], List.of())));
                    if (row[1] != null && !row[2].equals("DISABLED")) {
                        patterns.put(RULE + row[0], row[1]);
                    }
                });
        List<String> archivesForAll = new ArrayList<>();
        handle.createQuery("SELECT name, event_pattern FROM event_archives WHERE bus = :bus")
                .bind("bus", bus)
                .map((rs, ctx) -> new String[] {rs.getString("name"), rs.getString("event_pattern")})
                .forEach(row -> {
                    if (row[1] == null) {
                        archivesForAll.add(row[0]);
                    } else {
                        patterns.put(ARCHIVE + row[0], row[1]);
                    }
                });
        return new CompiledBus(bus, version, RuleMatcher.of(patterns), Map.copyOf(rules), List.copyOf(archivesForAll));
    }
}
