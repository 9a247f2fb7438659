package dev.patchtide.agent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Jittered exponential backoff from half a second up to {@code cap}: every channel of the agent to the server
 * (heartbeats, scan reports, command results) backs off with one of these while the server is away, so a fleet
 * that lost its server does not come back at it in lockstep.
 */
public final class Backoff {
    private final Duration cap;
    private int failures;

    public Backoff(Duration cap) {
        this.cap = cap;
    }

    public Duration next() {
        failures++;
        long exponential = Math.min(cap.toMillis(), 500L << Math.min(failures - 1, 16));
        return Duration.ofMillis(exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1));
    }

    /** Returns true when this ends a run of failures (the connection is back). */
    public boolean reset() {
        boolean wasFailing = failures > 0;
        failures = 0;
        return wasFailing;
    }

    public boolean failing() {
        return failures > 0;
    }
}
