package dev.patchtide.agent.commands;

import dev.patchtide.agent.ApiCallException;
import java.time.Duration;

/**
 * Whether the command channel asks for a held stream: yes, unless the server refused the {@code Stream} member (a
 * server older than streams), and then again after {@link #RETRY_AFTER} (the server may have been upgraded) or
 * when the agent restarts.
 */
final class StreamChoice {
    static final Duration RETRY_AFTER = Duration.ofHours(1);

    private final long retryNanos;
    private volatile boolean refused;
    private volatile long refusedAt;

    StreamChoice(Duration retryAfter) {
        this.retryNanos = retryAfter.toNanos();
    }

    boolean streaming() {
        return !refused || System.nanoTime() - refusedAt - retryNanos >= 0;
    }

    void refused() {
        refusedAt = System.nanoTime();
        refused = true;
    }

    /** An older server's answer to the member: it does not know it (binding) or does not take it (validation). */
    static boolean refusesStream(ApiCallException e) {
        boolean binding = "SerializationException".equals(e.code()) || "ValidationException".equals(e.code());
        return binding && e.getMessage() != null && e.getMessage().contains("Stream");
    }
}
