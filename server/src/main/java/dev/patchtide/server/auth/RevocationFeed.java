package dev.patchtide.server.auth;

import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Tells this node's {@link KeyCache} of keys revoked by any node sharing the database.
 *
 * <p>Each revocation records its transaction id (a trigger sets {@code access_keys.revoked_xid}, see
 * V17). A poll first reads the oldest transaction still running ({@code pg_snapshot_xmin}): every
 * transaction below it has ended, so the next poll's query, which runs later, sees all of their commits.
 * The poll then reads the revocations of transactions from the previous poll's mark on. A revocation whose
 * transaction started early but commits late stays at or above the mark until it ends, so it is read
 * whenever it commits: unlike a sequence's high-water mark, out-of-order commits cannot be skipped. The
 * re-read window is the revocations since the oldest transaction running at the previous poll: normally a
 * handful; keys already applied are not dropped again (a drop makes concurrent look-ups not cache).
 */
final class RevocationFeed {
    /** How often every node polls: well inside {@link KeyCache#TRUST_NANOS}, so one slow poll is harmless. */
    static final java.time.Duration INTERVAL = java.time.Duration.ofMillis(500);

    private static final long SWEEP_NANOS = 30_000_000_000L;

    private final Jdbi jdbi;
    private final KeyCache cache;
    /** The oldest transaction id that might still commit a revocation this node has not applied. */
    private OptionalLong mark = OptionalLong.empty();
    /** Keys the previous poll read, already dropped. */
    private Set<Revocation> applied = Set.of();

    private long lastSweep;

    private long polls;

    /** With its transaction, so a key revoked again (after being restored by hand) is dropped again. */
    private record Revocation(String accessKeyId, String xid) {}

    RevocationFeed(Jdbi jdbi, KeyCache cache) {
        this.jdbi = jdbi;
        this.cache = cache;
        this.lastSweep = cache.now();
    }

    /**
     * Brings the feed up to {@code requestedAt} or later: a poll, unless one that started after it succeeded while
     * this caller waited for the lock. Every request that finds the feed late waits for the same poll, so a
     * late feed costs one query, not one key look-up per request (10,000 agents' polls would otherwise take the
     * whole connection pool, which makes the feed later still). False when the poll fails.
     */
    synchronized boolean catchUp(long requestedAt) {
        if (cache.feedCovers(requestedAt)) {
            return true;
        }
        try {
            poll();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Polls made, by the background loop or to catch up (for tests). */
    long polls() {
        return polls;
    }

    /** One poll; throws when the database cannot be read, and then the cache stops trusting old entries. */
    synchronized void poll() {
        polls++;
        long startedAt = cache.now();
        record Read(long nextMark, List<Revocation> revoked) {}
        Read read = jdbi.withHandle(handle -> {
            long nextMark = handle.createQuery(
                            "SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text) AS bigint)")
                    .mapTo(Long.class)
                    .one();
            List<Revocation> revoked = mark.isEmpty()
                    ? List.of()
                    : handle.createQuery("SELECT access_key_id, CAST(revoked_xid AS text) AS xid FROM access_keys"
                                    + " WHERE revoked_xid >= CAST(CAST(:mark AS text) AS xid8)")
                            .bind("mark", mark.getAsLong())
                            .map((rs, ctx) -> new Revocation(rs.getString("access_key_id"), rs.getString("xid")))
                            .list();
            return new Read(nextMark, revoked);
        });
        if (mark.isEmpty()) {
            // Revocations before the first mark are not read: forget keys read before the feed covered them.
            cache.dropAll();
        } else {
            List<String> fresh = read.revoked().stream()
                    .filter(r -> !applied.contains(r))
                    .map(Revocation::accessKeyId)
                    .toList();
            if (!fresh.isEmpty()) {
                cache.drop(fresh);
            }
        }
        applied = Set.copyOf(read.revoked());
        mark = OptionalLong.of(read.nextMark());
        cache.feedSucceeded(startedAt);
        if (startedAt - lastSweep > SWEEP_NANOS) {
            lastSweep = startedAt;
            cache.evictIdle(startedAt);
        }
    }
}
