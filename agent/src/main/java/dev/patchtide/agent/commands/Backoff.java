package dev.patchtide.agent.commands;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Jittered exponential backoff from half a second up to {@code cap}, as the agent's heartbeats back off. */
final class Backoff {
    private final Duration cap;
    private int failures;

    Backoff(Duration cap) {
        this.cap = cap;
    }

    Duration next() {
        failures++;
        long exponential = Math.min(cap.toMillis(), 500L << Math.min(failures - 1, 16));
        return Duration.ofMillis(exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1));
    }

    /** Returns true when this ends a run of failures (the connection is back). */
    boolean reset() {
        boolean wasFailing = failures > 0;
        failures = 0;
        return wasFailing;
    }

    boolean failing() {
        return failures > 0;
    }
}
