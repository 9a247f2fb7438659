package dev.patchtide.server.fleet;

import java.time.Duration;
import java.time.Instant;

/**
 * When an agent counts as {@code Online}: it has reported within {@code missedHeartbeats} heartbeat
 * intervals, or, before its first report, it registered within them (as AWS shows a just-registered
 * managed instance Online). Derived when read, so no background job has to flip it.
 *
 * <p>{@code pingWriteInterval}: a heartbeat that changes nothing but the time is kept in memory and written with
 * the others at most this long after it arrived (see {@link Heartbeats}), so {@code LastPingDateTime} and
 * {@code PingStatus} show it within this interval, and a crash loses at most this much of ping times.
 */
public record PingStatusPolicy(Duration heartbeatInterval, int missedHeartbeats, Duration pingWriteInterval) {
    /** The longest {@link #pingWriteInterval} by default. */
    static final Duration DEFAULT_WRITE_INTERVAL = Duration.ofSeconds(5);

    public PingStatusPolicy {
        if (heartbeatInterval == null || heartbeatInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException(
                    "heartbeat-interval cannot be less than 100ms, got " + heartbeatInterval);
        }
        if (missedHeartbeats < 1) {
            throw new IllegalArgumentException("missed-heartbeats cannot be less than 1, got " + missedHeartbeats);
        }
        if (pingWriteInterval == null
                || pingWriteInterval.isNegative()
                || pingWriteInterval.compareTo(heartbeatInterval.multipliedBy(missedHeartbeats)) >= 0) {
            throw new IllegalArgumentException("ping-write-interval must be at least 0 and less than heartbeat-interval"
                    + " x missed-heartbeats, got " + pingWriteInterval);
        }
    }

    /**
     * Pings written every 5 seconds, or a quarter of the online window when that is shorter (a test's heartbeat
     * of a second).
     */
    public PingStatusPolicy(Duration heartbeatInterval, int missedHeartbeats) {
        this(heartbeatInterval, missedHeartbeats, defaultWriteInterval(heartbeatInterval, missedHeartbeats));
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

    private static Duration defaultWriteInterval(Duration heartbeatInterval, int missedHeartbeats) {
        if (heartbeatInterval == null || missedHeartbeats < 1) {
            return Duration.ZERO; // the canonical constructor names the bad setting
        }
        Duration quarter = heartbeatInterval.multipliedBy(missedHeartbeats).dividedBy(4);
        return quarter.compareTo(DEFAULT_WRITE_INTERVAL) < 0 ? quarter : DEFAULT_WRITE_INTERVAL;
    }
}
