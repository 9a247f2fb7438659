package dev.patchtide.server.delivery;

/**
 * Hands deliveries of one kind to the outside world (an HTTP endpoint, a mail server) or fans them out
 * into more deliveries (a topic to its subscriptions). Called by the worker outside any transaction;
 * may be called more than once for the same delivery after a crash, so {@link PendingDelivery#id()} is
 * passed on where the receiver can use it to drop duplicates.
 */
public interface Deliverer {
    String kind();

    /**
     * @throws DeliveryFailure when the destination did not take the message; {@link DeliveryFailure#retryable()}
     *     says whether trying again later can help
     */
    void deliver(PendingDelivery delivery) throws DeliveryFailure;
}
