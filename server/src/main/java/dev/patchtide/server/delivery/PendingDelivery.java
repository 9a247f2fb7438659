package dev.patchtide.server.delivery;

import java.time.Instant;

/** A delivery the worker is attempting: its durable id, which attempt this is (1 = first) and when it was enqueued. */
public record PendingDelivery(long id, int attempt, Instant createdAt, Delivery delivery) {}
