package dev.patchtide.server.commands;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes agents' long polls, on every server node, when work for their instance is committed: the committing
 * transaction sends a PostgreSQL NOTIFY naming the instances; each node LISTENs on one connection of its own
 * and wakes the requests waiting for those instances. A periodic re-check covers a notification lost while
 * the listening connection was being replaced. Waiting requests hold no connection, only a small object.
 */
final class Wakeups implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Wakeups.class);
    static final String CHANNEL = "patchtide_commands";
    /** PostgreSQL takes payloads below 8000 bytes; instance ids are ASCII. */
    private static final int PAYLOAD = 7000;

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RECHECK = Duration.ofSeconds(2);

    private final Jdbi jdbi;
    private final ConcurrentHashMap<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private Thread thread;

    Wakeups(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** One waiting request. */
    static final class Waiter {
        private final Semaphore signal = new Semaphore(0);
        private volatile boolean superseded;

        /**
         * A newer poll of the same instance arrived: this request's agent restarted or gave up on it, and an
         * invocation handed to it could be written to a connection nobody reads any more.
         */
        boolean superseded() {
            return superseded;
        }

        private void supersede() {
            superseded = true;
            signal.release();
        }

        void wake() {
            signal.release();
        }

        /** Waits for a wake-up, at most {@code timeout}; answers whether one came. */
        boolean await(Duration timeout) throws InterruptedException {
            boolean woken = signal.tryAcquire(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
            signal.drainPermits();
            return woken;
        }
    }

    /** Registers a waiting request; an older one of the same instance on this node is answered empty. */
    Waiter register(String instanceId) {
        Waiter waiter = new Waiter();
        waiting.compute(instanceId, (k, set) -> {
            Set<Waiter> waiters = set == null ? ConcurrentHashMap.newKeySet() : set;
            waiters.forEach(Waiter::supersede);
            waiters.add(waiter);
            return waiters;
        });
        return waiter;
    }

    /** Once closing, long polls answer at once: nothing would wake them any more. */
    boolean closing() {
        return stopping;
    }

    void unregister(String instanceId, Waiter waiter) {
        waiting.computeIfPresent(instanceId, (k, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    /** How many requests wait on this node now. */
    int waitingCount() {
        return waiting.values().stream().mapToInt(Set::size).sum();
    }

    /** Sends, with the caller's transaction, a wake-up for these instances to every node (on commit). */
    void notify(Handle handle, Collection<String> instanceIds) {
        StringBuilder payload = new StringBuilder();
        for (String id : instanceIds) {
            if (payload.length() + id.length() + 1 > PAYLOAD) {
                send(handle, payload.toString());
                payload.setLength(0);
            }
            if (!payload.isEmpty()) {
                payload.append(',');
            }
            payload.append(id);
        }
        if (!payload.isEmpty()) {
            send(handle, payload.toString());
        }
    }

    private static void send(Handle handle, String payload) {
        handle.createQuery("SELECT pg_notify(:channel, :payload)")
                .bind("channel", CHANNEL)
                .bind("payload", payload)
                .mapTo(String.class)
                .list();
    }

    void start() {
        thread = Thread.ofVirtual().name("command-wakeups").start(this::run);
    }

    private void run() {
        while (!stopping) {
            try (Handle handle = jdbi.open()) {
                listen(handle.getConnection());
            } catch (SQLException | RuntimeException e) {
                if (!stopping) {
                    log.warn("command wake-ups: listening connection failed; reconnecting", e);
                    wakeAll();
                    pause();
                }
            }
        }
    }

    private void listen(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + CHANNEL);
        }
        // Work committed before LISTEN took effect would otherwise wait for the next re-check.
        wakeAll();
        PGConnection pg = connection.unwrap(PGConnection.class);
        long nextRecheck = System.nanoTime() + RECHECK.toNanos();
        while (!stopping) {
            PGNotification[] notifications = pg.getNotifications((int) POLL.toMillis());
            if (notifications != null) {
                for (PGNotification n : notifications) {
                    for (String id : n.getParameter().split(",")) {
                        wake(id);
                    }
                }
            }
            if (System.nanoTime() - nextRecheck >= 0) {
                recheck(connection);
                nextRecheck = System.nanoTime() + RECHECK.toNanos();
            }
        }
    }

    /** Wakes the waiting requests whose instance has work, whether or not a notification said so. */
    private void recheck(Connection connection) throws SQLException {
        if (waiting.isEmpty()) {
            return;
        }
        List<String> due = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                var rs = statement.executeQuery("SELECT DISTINCT instance_id FROM command_invocations"
                        + " WHERE state = 'RELEASED' OR (state = 'CANCELLING' AND NOT cancel_told)")) {
            while (rs.next()) {
                due.add(rs.getString(1));
            }
        }
        due.forEach(this::wake);
    }

    private void wake(String instanceId) {
        Set<Waiter> waiters = waiting.get(instanceId);
        if (waiters != null) {
            waiters.forEach(Waiter::wake);
        }
    }

    private void wakeAll() {
        waiting.values().forEach(set -> set.forEach(Waiter::wake));
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        }
    }

    @Override
    public void close() {
        stopping = true;
        Thread running = thread;
        if (running != null) {
            try {
                if (!running.join(Duration.ofSeconds(2))) {
                    running.interrupt();
                    running.join(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        wakeAll();
    }
}
