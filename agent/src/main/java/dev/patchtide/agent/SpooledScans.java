package dev.patchtide.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way every scan report goes to the server: first into the {@link ScanSpool}, then out of it oldest first
 * through the {@link ScanReporter}, each removed once the server took it. While the server cannot be reached
 * (connection refused, timeout, 5xx, throttled) the reports wait and are tried again after a jittered
 * exponential backoff counted on the agent's clock, or at once when the heartbeat finds the server again
 * ({@link #serverBack}). A report the server refuses for good (it is invalid, the instance is unknown) is
 * logged and dropped, so that it does not hold back every report after it. The state changes (away, back, and
 * how many reports the cap dropped meanwhile) are logged once each, not per attempt.
 */
final class SpooledScans {
    private static final Logger log = LoggerFactory.getLogger(SpooledScans.class);

    /** The report was kept: the server could not take it now, it goes when the server is back. */
    static final class Kept extends IOException {
        private static final long serialVersionUID = 1L;

        Kept(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ScanSpool spool;
    private final ScanReporter reporter;
    private final ScanReporter.Sender sender;
    private final InstantSource clock;
    private final Backoff backoff;
    private Instant nextAttempt = Instant.MIN;
    private boolean away;
    private Exception lastFailure;

    SpooledScans(
            ScanSpool spool,
            ScanReporter reporter,
            ScanReporter.Sender sender,
            InstantSource clock,
            Duration maxBackoff) {
        this.spool = spool;
        this.reporter = reporter;
        this.sender = sender;
        this.clock = clock;
        this.backoff = new Backoff(maxBackoff);
    }

    /**
     * Keeps {@code report}, sends everything that waits (this report last) and returns the server's verdict on
     * it. Throws {@link Kept} when the server could not be reached (the report waits), or the server's refusal
     * of this report.
     */
    synchronized JsonNode submit(Map<String, Object> report) throws IOException, ApiCallException {
        long mine = spool.add(JsonCodec.write(report));
        Optional<JsonNode> verdict = sendAll(mine);
        if (verdict.isPresent()) {
            return verdict.get();
        }
        throw new Kept(
                "the server could not take the scan report now; it waits in " + spool.dir() + " with "
                        + (spool.count() - 1) + " other(s)",
                lastFailure);
    }

    /** Sends what waits if the backoff allows it now; true when nothing waits any more. */
    synchronized boolean sendIfDue() {
        if (spool.count() == 0) {
            return true;
        }
        if (clock.instant().isBefore(nextAttempt)) {
            return false;
        }
        try {
            sendAll(-1);
        } catch (IOException | ApiCallException e) {
            // sendAll throws only for the report given to it
        }
        return spool.count() == 0;
    }

    /** The server answered a heartbeat: what waits is tried at the next {@link #sendIfDue}, backoff or not. */
    synchronized void serverBack() {
        nextAttempt = Instant.MIN;
    }

    /** How long until the next attempt, on the agent's clock; zero when due or nothing waits. */
    synchronized Duration untilNextAttempt() {
        if (spool.count() == 0 || !clock.instant().isBefore(nextAttempt)) {
            return Duration.ZERO;
        }
        return Duration.between(clock.instant(), nextAttempt);
    }

    synchronized int waiting() {
        return spool.count();
    }

    /**
     * Sends the waiting reports oldest first until none is left or the server cannot be reached; returns the
     * verdict on report {@code mine} if it was taken, and throws the server's refusal of it.
     */
    private Optional<JsonNode> sendAll(long mine) throws IOException, ApiCallException {
        Optional<JsonNode> result = Optional.empty();
        for (Optional<ScanSpool.Pending> next = spool.oldest(); next.isPresent(); next = spool.oldest()) {
            ScanSpool.Pending p = next.get();
            Map<String, Object> report;
            try {
                report = JsonCodec.readMap(spool.read(p));
            } catch (IOException e) {
                log.error("dropping a kept scan report that cannot be read: {}", e.getMessage());
                spool.remove(p);
                continue;
            }
            try {
                JsonNode verdict = reporter.report(report, sender);
                spool.remove(p);
                reached();
                if (p.sequence() == mine) {
                    result = Optional.of(verdict);
                }
            } catch (IOException | ApiCallException e) {
                if (ApiCallException.isTransient(e)) {
                    unreachable(e);
                    return Optional.empty();
                }
                spool.remove(p);
                if (p.sequence() == mine) {
                    throw e;
                }
                log.warn(
                        "the server refused the scan report taken at {}; it is dropped: {}",
                        report.get("OperationEndTime"),
                        e.getMessage());
            }
        }
        return result;
    }

    private void reached() {
        backoff.reset();
        if (away) {
            away = false;
            long dropped = spool.takeDropped();
            if (dropped > 0) {
                log.warn(
                        "scan reports reach the server again; {} older report(s) were dropped while it was away"
                                + " (the spool keeps the newest)",
                        dropped);
            } else {
                log.info("scan reports reach the server again");
            }
        }
        nextAttempt = Instant.MIN;
    }

    private void unreachable(Exception e) {
        lastFailure = e;
        if (!away) {
            log.warn(
                    "cannot send scan reports to the server ({}); they wait in {} and are sent when it is back",
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
                    spool.dir());
            away = true;
        }
        nextAttempt = clock.instant().plus(backoff.next());
    }
}
