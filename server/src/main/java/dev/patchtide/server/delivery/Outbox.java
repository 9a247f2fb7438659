package dev.patchtide.server.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import java.time.InstantSource;
import org.jdbi.v3.core.Handle;

/**
 * Where features put what must leave the server: {@link #enqueue} writes the delivery in the caller's
 * transaction, so it exists exactly when the change that caused it was committed, and wakes the worker
 * once that transaction commits.
 */
public final class Outbox {
    private static final ObjectMapper JSON = ApiJson.documents();

    private final InstantSource clock;
    private final Runnable wakeWorker;

    Outbox(InstantSource clock, Runnable wakeWorker) {
        this.clock = clock;
        this.wakeWorker = wakeWorker;
    }

    /** Adds the delivery in the transaction of {@code handle}; returns its durable id. */
    public long enqueue(Handle handle, Delivery delivery) {
        var now = clock.instant();
        long id = handle.createUpdate("INSERT INTO outbox (destination_kind, destination, payload, attributes, source,"
                        + " max_retry_attempts, max_event_age_s, created_at, next_attempt_at)"
                        + " VALUES (:kind, :destination, :payload, CAST(:attributes AS jsonb), :source, :retries, :age,"
                        + " :now, :now)")
                .bind("kind", delivery.destinationKind())
                .bind("destination", delivery.destination())
                .bind("payload", delivery.payload())
                .bind("attributes", toJson(delivery))
                .bind("source", delivery.source())
                .bind("retries", delivery.retryPolicy().maximumRetryAttempts())
                .bind("age", (int) delivery.retryPolicy().maximumEventAge().toSeconds())
                .bind("now", now)
                .executeAndReturnGeneratedKeys("delivery_id")
                .mapTo(Long.class)
                .one();
        if (handle.isInTransaction()) {
            handle.afterCommit(wakeWorker);
        } else {
            wakeWorker.run();
        }
        return id;
    }

    private static String toJson(Delivery delivery) {
        try {
            return JSON.writeValueAsString(delivery.attributes());
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
