package dev.patchtide.server.commands;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes agents' long polls, on every server node, when work for their instance is committed: the committing
 * transaction sends a PostgreSQL NOTIFY naming the instances; each node LISTENs on one connection of its own
 * and hands those instances to its {@link Deliverer}. A periodic re-check covers a notification lost while
 * the listening connection was being replaced.
 */
final class Wakeups implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Wakeups.class);
    static final String CHANNEL = "patchtide_commands";
    /** PostgreSQL takes payloads below 8000 bytes; instance ids are ASCII. */
    private static final int PAYLOAD = 7000;

    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RECHECK = Duration.ofSeconds(2);

    /** Where wake-ups go: the node's {@link Deliverer}. */
    interface Work {
        void arrived(String instanceId);

        void arrived(Collection<String> instanceIds);

        void arrivedForAll();

        boolean anyWaiting();
    }

    private final Jdbi jdbi;
    private volatile Work work;
    private volatile boolean stopping;
    private Thread thread;

    Wakeups(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Set once, before {@link #start()}. */
    void deliverTo(Work work) {
        this.work = work;
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
        // A platform thread, as the deliverer's: a wake-up must not wait behind the request threads.
        thread = Thread.ofPlatform().daemon().name("command-wakeups").start(this::run);
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
            if (notifications != null && notifications.length > 0) {
                Timeline.mark("wakeups.heard", notifications.length);
                for (PGNotification n : notifications) {
                    work.arrived(java.util.Arrays.asList(n.getParameter().split(",")));
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
        if (!work.anyWaiting()) {
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
        work.arrived(due);
    }

    private void wakeAll() {
        work.arrivedForAll();
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
    }
}
