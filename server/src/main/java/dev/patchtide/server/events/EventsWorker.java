package dev.patchtide.server.events;

import dev.patchtide.server.background.PollingLoop;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The feature's background work on one virtual thread: fire due schedule rules, advance replays, announce
 * ping-status transitions, expire archived events. Every step claims its rows with SKIP LOCKED, so any
 * number of server nodes can run it side by side.
 */
public final class EventsWorker implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration EXPIRY_EVERY = Duration.ofHours(1);

    private final Schedules schedules;
    private final Replays replays;
    private final PingStatusWatcher pings;
    private final Archives archives;
    private final InstantSource clock;
    private final PollingLoop loop = new PollingLoop("events-worker", POLL, () -> {
        runOnce();
        return false;
    });
    private Instant lastExpiry = Instant.MIN;

    EventsWorker(
            Schedules schedules, Replays replays, PingStatusWatcher pings, Archives archives, InstantSource clock) {
        this.schedules = schedules;
        this.replays = replays;
        this.pings = pings;
        this.archives = archives;
        this.clock = clock;
    }

    public void start() {
        loop.start();
    }

    /** Look now rather than at the next poll (a test moved the clock). */
    public void wake() {
        loop.wake();
    }

    /** Rounds completed so far: tests wait for a whole round after their action (see {@link PollingLoop}). */
    public long completedRounds() {
        return loop.completedRounds();
    }

    /** One round of every step; package-private for tests that drive it by hand. */
    void runOnce() {
        while (schedules.fireDue() > 0) {
            // a full batch fired: look again at once
        }
        for (int i = 0; i < 100 && replays.step(); i++) {
            // each step is one batch of one replay
        }
        pings.detect();
        Instant now = clock.instant();
        if (lastExpiry.isBefore(now.minus(EXPIRY_EVERY))) {
            archives.expire(now);
            lastExpiry = now;
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
