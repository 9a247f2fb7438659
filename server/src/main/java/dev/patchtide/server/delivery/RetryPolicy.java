package dev.patchtide.server.delivery;

import java.time.Duration;

/**
 * How long and how often a delivery is retried, as EventBridge's target {@code RetryPolicy}: at most
 * {@code maximumRetryAttempts} retries (0–185) and never after the event is {@code maximumEventAge} old
 * (60 s – 24 h). Whichever comes first sends the delivery to the dead letters.
 */
public record RetryPolicy(int maximumRetryAttempts, Duration maximumEventAge) {
    /** EventBridge's default: 185 retries over at most 24 hours. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(185, Duration.ofHours(24));

    public RetryPolicy {
        if (maximumRetryAttempts < 0 || maximumRetryAttempts > 185) {
            throw new IllegalArgumentException("maximumRetryAttempts must be between 0 and 185");
        }
        if (maximumEventAge.toSeconds() < 60 || maximumEventAge.toSeconds() > 86_400) {
            throw new IllegalArgumentException("maximumEventAge must be between 60 and 86400 seconds");
        }
    }
}
