package dev.patchtide.server.auth;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * This node's memory of access keys found in the database. An entry is trusted for as long as it is used
 * while the revocation feed keeps up (it bounds how stale an entry can be); when the feed has not
 * succeeded recently, only entries read from the database within {@link #TRUST_NANOS} are trusted, which
 * was the whole cache before the feed. Times are System.nanoTime (injected for tests): they bound
 * staleness in real time, whatever clock the server's logic runs on.
 */
final class KeyCache {
    /** The most a revocation on another node may go unnoticed here. */
    static final long TRUST_NANOS = 2_000_000_000L;
    /** An entry not used for this long is forgotten (agents call every few minutes). */
    static final long IDLE_NANOS = 10 * 60 * 1_000_000_000L;
    /**
     * Bounds memory (measured: about 270 bytes an entry, 27 MB for 100,000 keys); beyond it, keys not yet
     * cached are read from the database each time until idle ones are evicted.
     */
    static final int MAX_ENTRIES = 200_000;

    private static final long TOUCH_NANOS = 1_000_000_000L;

    private static final class Entry {
        final AccessKeyStore.StoredKey key;
        final long loadedAt;
        volatile long lastUsed;

        Entry(AccessKeyStore.StoredKey key, long loadedAt) {
            this.key = key;
            this.loadedAt = loadedAt;
            this.lastUsed = loadedAt;
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /** Bumped before every drop: a look-up that overlapped one does not keep what it read. */
    private final AtomicLong generation = new AtomicLong();

    private final LongSupplier ticker;
    /** When the last successful feed poll started: every revocation committed before then is applied. */
    private volatile long feedCoversUpTo;

    private volatile boolean feedRunning;

    KeyCache(LongSupplier ticker) {
        this.ticker = ticker;
    }

    long now() {
        return ticker.getAsLong();
    }

    Optional<AccessKeyStore.StoredKey> get(String accessKeyId, long now) {
        Entry entry = entries.get(accessKeyId);
        if (entry == null || !(feedIsCurrent(now) || now - entry.loadedAt < TRUST_NANOS)) {
            return Optional.empty();
        }
        if (now - entry.lastUsed > TOUCH_NANOS) {
            entry.lastUsed = now;
        }
        return Optional.of(entry.key);
    }

    /**
     * The entry, if held, for a request that arrived at {@code requestedAt}, once a feed poll that started at or
     * after that moment has succeeded: every revocation committed before the request is applied, so a held entry
     * is not revoked, whatever its age.
     */
    Optional<AccessKeyStore.StoredKey> getCovered(String accessKeyId, long requestedAt) {
        Entry entry = entries.get(accessKeyId);
        if (entry == null || !feedCovers(requestedAt)) {
            return Optional.empty();
        }
        entry.lastUsed = Math.max(entry.lastUsed, requestedAt);
        return Optional.of(entry.key);
    }

    /** Read before a database look-up and handed to {@link #put}. */
    long generation() {
        return generation.get();
    }

    /**
     * Remembers a key read from the database at {@code loadedAt}, unless a drop happened since {@code
     * generationBefore} was read. Put first, check after: a drop bumps the generation before removing, so
     * either it removes this entry or this check sees the bump.
     */
    void put(String accessKeyId, AccessKeyStore.StoredKey key, long loadedAt, long generationBefore) {
        if (entries.size() >= MAX_ENTRIES && !entries.containsKey(accessKeyId)) {
            return; // the feed's periodic sweep makes room (sweeping here would cost every miss a full scan)
        }
        Entry entry = new Entry(key, loadedAt);
        entries.put(accessKeyId, entry);
        if (generation.get() != generationBefore) {
            entries.remove(accessKeyId, entry);
        }
    }

    void drop(Collection<String> accessKeyIds) {
        generation.incrementAndGet();
        accessKeyIds.forEach(entries::remove);
    }

    /** The feed (re)starts with no history: forget everything read before it could cover it. */
    void dropAll() {
        generation.incrementAndGet();
        entries.clear();
    }

    void feedSucceeded(long pollStartedAt) {
        feedCoversUpTo = pollStartedAt;
        feedRunning = true;
    }

    private boolean feedIsCurrent(long now) {
        return feedRunning && now - feedCoversUpTo < TRUST_NANOS;
    }

    /** Whether a successful feed poll started at or after {@code moment}. */
    boolean feedCovers(long moment) {
        return feedRunning && feedCoversUpTo - moment >= 0;
    }

    /**
     * Whether {@code accessKeyId} is held but no longer trusted only because the running feed is late: then one
     * feed poll, not a database look-up per request, makes it trusted again.
     */
    boolean heldWhileFeedIsLate(String accessKeyId) {
        return feedRunning && entries.containsKey(accessKeyId);
    }

    void evictIdle(long now) {
        entries.values().removeIf(e -> now - e.lastUsed > IDLE_NANOS);
    }

    int size() {
        return entries.size();
    }
}
