package dev.patchtide.server.fleet;

import java.time.Duration;
import java.time.Instant;

/**
 * When an agent counts as {@code Online}: it has reported within {@code missedHeartbeats} heartbeat
 * intervals, or, before its first report, it registered within them (as AWS shows a just-registered
 * managed instance Online). Derived when read, so no background job has to flip it.
 */
public record PingStatusPolicy(Duration heartbeatInterval, int missedHeartbeats) {
    public PingStatusPolicy {
        if (heartbeatInterval == null || heartbeatInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException(
                    "heartbeat-interval cannot be less than 100ms, got " + heartbeatInterval);
        }
        if (missedHeartbeats < 1) {
            throw new IllegalArgumentException("missed-heartbeats cannot be less than 1, got " + missedHeartbeats);
        }
    }

    /**
     * The ping status of {@code managed_instances i}, as SQL: {@code Online} or {@code ConnectionLost},
     * judged at {@code :onlineSince} ({@link #onlineSince}), which the query binds.
     */
    public static final String STATUS_SQL = "CASE WHEN coalesce(i.last_ping_at, i.registration_date) >= :onlineSince"
            + " THEN 'Online' ELSE 'ConnectionLost' END";

    public static PingStatusPolicy defaults() {
        return new PingStatusPolicy(Duration.ofMinutes(5), 2);
    }

    /** Reports (or, before any, a registration) at or after this instant mean Online. */
    public Instant onlineSince(Instant now) {
        return now.minus(heartbeatInterval.multipliedBy(missedHeartbeats));
    }
}
