package dev.patchtide.server.background;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A feature's background work on one virtual thread: runs a round, and when the round found nothing to do
 * sleeps until woken or until the idle poll passes. A round that fails with a {@link RuntimeException} is
 * logged and tried again after the pause. An {@link Error} (out of memory, a broken class path) is not
 * caught: it ends the loop and is logged once, as the thread dies. The rounds claim their rows in the
 * database, so every server node runs its own loop side by side.
 */
public final class PollingLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PollingLoop.class);
    /** Loops whose thread is alive, in this JVM: lets a test see that a failed start-up stopped them all. */
    private static final Set<PollingLoop> ALIVE = ConcurrentHashMap.newKeySet();

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
            ALIVE.add(this);
            thread = Thread.ofVirtual()
                    .name(name)
                    .uncaughtExceptionHandler((t, e) -> log.error("{}: stopped by an error", name, e))
                    .start(this::run);
        }
    }

    /** Run a round now rather than at the next poll (new work was committed, or a test moved the clock). */
    public void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /** Names of the loops whose thread is running, in this JVM, sorted. */
    public static Set<String> alive() {
        Set<String> names = new TreeSet<>();
        ALIVE.forEach(loop -> names.add(loop.name));
        return names;
    }

    /** Whether the loop's thread is running: false before {@link #start()}, after {@link #close()}, or an Error. */
    public boolean running() {
        return ALIVE.contains(this);
    }

    /**
     * Rounds completed so far (a failed round is not counted). Two more than read before an action mean
     * a whole round began after it: what a test waits for before it asserts that nothing else happened.
     */
    public long completedRounds() {
        return rounds.get();
    }

    private void run() {
        try {
            loop();
        } finally {
            ALIVE.remove(this);
        }
    }

    private void loop() {
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
