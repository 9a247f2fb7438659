package dev.patchtide.server.events;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature's background work on one virtual thread: fire due schedule rules, advance replays, announce
 * ping-status transitions, expire archived events. Every step claims its rows with SKIP LOCKED, so any
 * number of server nodes can run it side by side.
 */
public final class EventsWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventsWorker.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration EXPIRY_EVERY = Duration.ofHours(1);

    private final Schedules schedules;
    private final Replays replays;
    private final PingStatusWatcher pings;
    private final Archives archives;
    private final InstantSource clock;
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean stopping;
    private Thread loop;
    private Instant lastExpiry = Instant.MIN;

    EventsWorker(
            Schedules schedules, Replays replays, PingStatusWatcher pings, Archives archives, InstantSource clock) {
        this.schedules = schedules;
        this.replays = replays;
        this.pings = pings;
        this.archives = archives;
        this.clock = clock;
    }

    public synchronized void start() {
        if (loop == null) {
            loop = Thread.ofVirtual().name("events-worker").start(this::run);
        }
    }

    /** Look now rather than at the next poll (a test moved the clock). */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
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

    private void run() {
        while (!stopping) {
            try {
                runOnce();
            } catch (RuntimeException e) {
                log.warn("events background round failed; retrying shortly", e);
            }
            synchronized (signal) {
                try {
                    if (!woken && !stopping) {
                        signal.wait(POLL.toMillis());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                }
                woken = false;
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        wake();
        Thread running;
        synchronized (this) {
            running = loop;
        }
        if (running != null) {
            try {
                // A round waiting on a database that is gone would hold the stop for the pool's timeout.
                if (!running.join(Duration.ofSeconds(2))) {
                    running.interrupt();
                    running.join(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
