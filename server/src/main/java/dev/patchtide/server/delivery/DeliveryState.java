package dev.patchtide.server.delivery;

import dev.patchtide.server.lifecycle.Lifecycle;
import java.util.Locale;

/**
 * Where a delivery is. PENDING, IN_FLIGHT and RETRYING are outbox rows (the {@code state} column);
 * DELIVERED means the row was deleted after the destination took it, DEAD_LETTERED that it moved to the
 * dead letters. A worker holds an IN_FLIGHT delivery until its lease ends; if the worker dies, another
 * claims it again then. Every settlement is conditional on the attempt the worker claimed, so a worker
 * whose lease ended cannot settle a delivery another one has claimed since.
 */
enum DeliveryState {
    PENDING,
    IN_FLIGHT,
    RETRYING,
    DELIVERED,
    DEAD_LETTERED;

    static final Lifecycle<DeliveryState> LIFECYCLE = Lifecycle.of("delivery", DeliveryState.class)
            .on("claimed by a worker", PENDING, IN_FLIGHT)
            .on("claimed again after its backoff", RETRYING, IN_FLIGHT)
            .on("claimed again after the lease of a worker that died ended", IN_FLIGHT, IN_FLIGHT)
            .on("destination took it", IN_FLIGHT, DELIVERED)
            .on("retryable failure with retries and age left", IN_FLIGHT, RETRYING)
            .on("permanent failure, or retries or age spent", IN_FLIGHT, DEAD_LETTERED)
            .on("RedriveDeadLetters", DEAD_LETTERED, PENDING)
            .build();

    /** The {@code outcome} tag of the {@code patchtide.deliveries} counter: {@code dead-lettered}, ... */
    String outcome() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
