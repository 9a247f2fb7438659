package dev.patchtide.server.patching;

import dev.patchtide.core.patching.BaselineSpec;
import dev.patchtide.server.api.ApiException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * The baseline that applies per (patch group, OS), resolved and parsed once. Every change to baselines,
 * defaults or patch-group registrations bumps {@code baseline_config_version} (triggers, V14), so each report
 * checks its entries with one primary-key read and several server nodes sharing the database stay right.
 * Only for transactions that do not change baselines themselves: an uncommitted bump seen by its own
 * transaction must never key an entry.
 */
final class BaselineCache {
    /** A resolved baseline with its parsed spec, and the configuration version it was read at. */
    record Resolved(BaselineStore.Stored baseline, BaselineSpec spec, long version) {}

    private final BaselineStore store;
    private final Map<String, Resolved> byGroupAndOs = new ConcurrentHashMap<>();

    BaselineCache(BaselineStore store) {
        this.store = store;
    }

    static long version(Handle h) {
        return h.createQuery("SELECT version FROM baseline_config_version WHERE id = 1")
                .mapTo(Long.class)
                .one();
    }

    /**
     * The entry for (group, OS) if it was resolved at exactly {@code version}, else null; reads nothing, so the
     * version may be one seen earlier (the caller must then check it still holds).
     */
    Resolved cached(String group, String os, long version) {
        Resolved cached = byGroupAndOs.get(key(group, os));
        return cached != null && cached.version() == version ? cached : null;
    }

    /** With the configuration version read in this transaction ({@link #version}, once for a batch). */
    Resolved resolve(Handle h, String group, String os, long version) {
        Resolved hit = cached(group, os, version);
        if (hit != null) {
            return hit;
        }
        String key = key(group, os);
        Resolved older = byGroupAndOs.get(key);
        if (older != null && older.version() < version) {
            byGroupAndOs.clear();
        }
        String id = store.baselineForGroup(h, group, os)
                .or(() -> store.defaultFor(h, os))
                .orElseThrow(
                        () -> new ApiException.NotFound("DoesNotExistException", "No patch baseline applies to " + os));
        BaselineStore.Stored baseline = store.find(h, id, false).orElseThrow();
        Resolved resolved = new Resolved(baseline, BaselineSpecs.of(baseline.id(), baseline.definition()), version);
        byGroupAndOs.merge(key, resolved, (old, now) -> old.version() >= now.version() ? old : now);
        return resolved;
    }

    private static String key(String group, String os) {
        return group + '\u0000' + os;
    }
}
