package dev.patchtide.server.patching;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * The patch group each live instance was last seen in, so an unchanged report's outcome hash is computed without
 * reading the instance first. Only a guess: the UPDATE that answers such a report checks the group on the
 * instance's row ({@link UnchangedReports#touch}), and a report whose guess was wrong goes the locked way, which
 * reads the group under lock and puts it here. An entry costs about 110 bytes (the id's String, the map's node
 * and slot; the groups themselves are shared), so 1,000,000 instances take about 110 MB; past {@link #LIMIT} the
 * map is emptied and refilled by the misses' reads, which cost what every batch cost before this cache.
 */
final class PatchGroups {
    static final int LIMIT = 1_000_000;

    /** No group (the column is NULL), told apart from an absent entry. */
    private static final Optional<String> NONE = Optional.empty();

    private final int limit;
    private final Map<String, Optional<String>> byInstance = new ConcurrentHashMap<>();
    /** One Optional per group name, shared by all its instances. */
    private final Map<String, Optional<String>> names = new ConcurrentHashMap<>();

    PatchGroups() {
        this(LIMIT);
    }

    PatchGroups(int limit) {
        this.limit = limit;
    }

    /** The group last seen, or null if none was (then {@link #read} fills it). */
    Optional<String> get(String instanceId) {
        return byInstance.get(instanceId);
    }

    /** What a read of the instance's row found, under lock or not. */
    Optional<String> put(String instanceId, String group) {
        if (byInstance.size() >= limit && !byInstance.containsKey(instanceId)) {
            byInstance.clear();
            names.clear();
        }
        Optional<String> seen = group == null ? NONE : names.computeIfAbsent(group, Optional::of);
        byInstance.put(instanceId, seen);
        return seen;
    }

    /** The instance is not live (deregistered or unknown). */
    void forget(String instanceId) {
        byInstance.remove(instanceId);
    }

    /** Reads the groups of these instances (one statement) and keeps those that are live. */
    Map<String, Optional<String>> read(Handle h, List<String> instanceIds) {
        Map<String, Optional<String>> out = new HashMap<>();
        if (instanceIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT instance_id, patch_group FROM managed_instances"
                        + " WHERE instance_id = ANY(:ids) AND deregistered_at IS NULL")
                .bind("ids", PatchStateRows.texts(instanceIds))
                .map((rs, ctx) -> Map.entry(rs.getString(1), put(rs.getString(1), rs.getString(2))))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }
}
