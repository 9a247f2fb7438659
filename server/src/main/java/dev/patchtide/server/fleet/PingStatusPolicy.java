package dev.patchtide.server.fleet;

import java.time.Duration;
import java.time.Instant;

/**
 * When an agent counts as {@code Online}: it has reported within {@code missedHeartbeats} heartbeat
 * intervals. Derived when read, from the last report time, so no background job has to flip it.
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

    public static PingStatusPolicy defaults() {
        return new PingStatusPolicy(Duration.ofMinutes(5), 2);
    }

    /** Reports at or after this instant mean Online. */
    public Instant onlineSince(Instant now) {
        return now.minus(heartbeatInterval.multipliedBy(missedHeartbeats));
    }
}
