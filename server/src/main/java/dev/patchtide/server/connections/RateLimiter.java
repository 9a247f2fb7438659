package dev.patchtide.server.connections;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * {@code InvocationRateLimitPerSecond}: a token bucket per API destination, in memory (each server node
 * enforces the limit on its own). It runs on a monotonic nanosecond clock rather than the server's
 * InstantSource because it paces real network calls, which happen in real time even when tests move the
 * domain clock.
 */
final class RateLimiter {
    private final LongSupplier nanos;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** Takes a permit if one is there; otherwise returns how many nanoseconds until the next one. */
    long tryAcquire(String key, int perSecond) {
        return buckets.computeIfAbsent(key, k -> new Bucket(perSecond, nanos.getAsLong()))
                .take(perSecond, nanos.getAsLong());
    }

    /** Waits up to {@code maxWait} for a permit; false when the destination stays over its limit that long. */
    boolean acquire(String key, int perSecond, Duration maxWait) throws InterruptedException {
        long deadline = nanos.getAsLong() + maxWait.toNanos();
        while (true) {
            long wait = tryAcquire(key, perSecond);
            if (wait == 0) {
                return true;
            }
            if (nanos.getAsLong() + wait > deadline) {
                return false;
            }
            Thread.sleep(Duration.ofNanos(wait));
        }
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt;

        Bucket(int perSecond, long now) {
            this.tokens = perSecond;
            this.refilledAt = now;
        }

        synchronized long take(int perSecond, long now) {
            // Capacity is one second's worth, so a burst never exceeds the limit by more than that.
            tokens = Math.min(perSecond, tokens + (now - refilledAt) * perSecond / 1e9);
            refilledAt = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) * 1e9 / perSecond));
        }
    }
}
