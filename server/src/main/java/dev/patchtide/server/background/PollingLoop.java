package dev.patchtide.server.background;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A feature's background work on one virtual thread: runs a round, and when the round found nothing to do
 * sleeps until woken or until the idle poll passes. A failed round is logged and tried again after the
 * pause, never ending the loop. The rounds claim their rows in the database, so every server node runs
 * its own loop side by side.
 */
public final class PollingLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PollingLoop.class);

    private final String name;
    private final Duration idlePoll;
    private final BooleanSupplier round;
    private final Object signal = new Object();
    private final AtomicLong rounds = new AtomicLong();
    private boolean woken;
    private volatile boolean stopping;
    private Thread thread;

    /** @param round one round of work; answers true when it did some, so the next round starts at once */
    public PollingLoop(String name, Duration idlePoll, BooleanSupplier round) {
        this.name = name;
        this.idlePoll = idlePoll;
        this.round = round;
    }

    public synchronized void start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name(name).start(this::run);
        }
    }

    /** Run a round now rather than at the next poll (new work was committed, or a test moved the clock). */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /**
     * Rounds completed so far (a failed round is not counted). Two more than read before an action mean
     * a whole round began after it: what a test waits for before it asserts that nothing else happened.
     */
    public long completedRounds() {
        return rounds.get();
    }

    private void run() {
        while (!stopping) {
            boolean busy = false;
            try {
                busy = round.getAsBoolean();
                rounds.incrementAndGet();
            } catch (RuntimeException e) {
                if (!stopping) {
                    log.warn("{}: background round failed; retrying shortly", name, e);
                }
            }
            if (!busy) {
                awaitSignal();
            }
        }
    }

    private void awaitSignal() {
        synchronized (signal) {
            try {
                if (!woken && !stopping) {
                    signal.wait(idlePoll.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
            woken = false;
        }
    }

    @Override
    public void close() {
        stopping = true;
        wake();
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running == null) {
            return;
        }
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
