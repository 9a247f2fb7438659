package dev.patchtide.agent.commands;

import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what the journal owes the server (the final result; InProgress only for an older agent's entry) on a thread of its own, oldest
 * first, until the server takes it: while the server is away it retries with backoff, also across restarts (the
 * journal says what was taken). A result the server refuses for good (it already holds another final status)
 * is logged and settled, not retried for ever.
 */
final class ResultSender {
    private static final Logger log = LoggerFactory.getLogger(ResultSender.class);
    static final String UPDATE = "Patchtide.UpdateCommandInvocation";

    private final Journal journal;
    private final ApiClient api;
    private final InstantSource clock;
    private final Backoff backoff;
    private final long outputCap;
    private final Object signal = new Object();
    private boolean dirty = true;
    /** Ends the current pause, a backoff included (the server is back). */
    private boolean retryNow;

    private volatile boolean stopping;
    private Thread thread;

    ResultSender(Journal journal, ApiClient api, InstantSource clock, Duration maxBackoff, long outputCap) {
        this.journal = journal;
        this.outputCap = outputCap;
        this.api = api;
        this.clock = clock;
        this.backoff = new Backoff(maxBackoff);
    }

    void start() {
        thread = Thread.ofPlatform()
                .name("patchtide-command-results")
                .daemon(true)
                .start(this::loop);
    }

    void wake() {
        synchronized (signal) {
            dirty = true;
            signal.notifyAll();
        }
    }

    void serverBack() {
        synchronized (signal) {
            dirty = true;
            retryNow = true;
            signal.notifyAll();
        }
    }

    void close() throws InterruptedException {
        stopping = true;
        wake();
        if (thread != null) {
            thread.interrupt();
            thread.join(Duration.ofSeconds(10));
        }
    }

    private void loop() {
        while (!stopping) {
            synchronized (signal) {
                dirty = false;
            }
            boolean failed = sendAll(journal.unsent());
            try {
                if (failed) {
                    pause(backoff.next(), false);
                } else {
                    if (backoff.reset()) {
                        log.info("command results reach {} again", api.endpoint());
                    }
                    journal.prune(clock.instant());
                    pause(Duration.ofMinutes(1), true);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Returns true if the server could not be reached (what is left waits for the next round). */
    private boolean sendAll(List<JournalEntry> due) {
        for (JournalEntry entry : due) {
            if (stopping) {
                return false;
            }
            try {
                send(entry);
            } catch (RuntimeException e) {
                log.error("cannot send the result of command {}; trying again", entry.commandId(), e);
                return true;
            } catch (IOException | ApiCallException e) {
                if (isTransient(e)) {
                    if (!backoff.failing()) {
                        log.warn("cannot send command results to {}: {}", api.endpoint(), e.getMessage());
                    }
                    return true;
                }
                log.warn("the server refused the result of command {}: {}", entry.commandId(), e.getMessage());
                settle(entry);
            }
        }
        return false;
    }

    private void send(JournalEntry entry) throws IOException, ApiCallException {
        if (!entry.inProgressSent()) {
            try {
                api.call(UPDATE, Updates.inProgress(entry));
            } catch (ApiCallException e) {
                if (isTransient(e)) {
                    throw e;
                }
                // a server that holds a later status already refuses InProgress: the final result still goes
                log.info("the server refused InProgress for command {}: {}", entry.commandId(), e.getMessage());
            }
            entry = journal.update(entry.commandId(), JournalEntry::markInProgressSent);
        }
        if (entry.state() == JournalEntry.State.FINISHED && !entry.resultSent()) {
            api.callBytes(UPDATE, Updates.result(entry, journal, outputCap));
            journal.update(entry.commandId(), JournalEntry::markResultSent);
        }
    }

    private void settle(JournalEntry entry) {
        try {
            journal.update(
                    entry.commandId(),
                    e -> e.state() == JournalEntry.State.FINISHED ? e.markResultSent() : e.markInProgressSent());
        } catch (IOException e) {
            log.error("cannot write the command journal: {}", e.getMessage());
        }
    }

    static boolean isTransient(Exception e) {
        return ApiCallException.isTransient(e);
    }

    /** Waits {@code duration}; a wake-up ends the wait only when {@code untilWoken} (never a backoff). */
    private void pause(Duration duration, boolean untilWoken) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        synchronized (signal) {
            for (long left = duration.toMillis(); left > 0 && !stopping; ) {
                if ((untilWoken && dirty) || retryNow) {
                    retryNow = false;
                    return;
                }
                signal.wait(left);
                left = (end - System.nanoTime()) / 1_000_000;
            }
        }
    }
}
