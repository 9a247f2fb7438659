package dev.patchtide.server.notify;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.delivery.Deliverer;
import dev.patchtide.server.delivery.DeliveryFailure;
import dev.patchtide.server.delivery.PendingDelivery;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code sns-topic} deliverer (rule targets that are topics): fans the message out in one
 * transaction, which also records the delivery as fanned out, so a retry after a crash between that
 * commit and the outbox's delete does not fan out twice.
 */
final class TopicDeliverer implements Deliverer {
    static final String KIND = "sns-topic";
    private static final java.time.Duration FANOUT_MEMORY = java.time.Duration.ofDays(2);

    private final Jdbi jdbi;
    private final FanOut fanOut;
    private final InstantSource clock;

    TopicDeliverer(Jdbi jdbi, FanOut fanOut, InstantSource clock) {
        this.jdbi = jdbi;
        this.fanOut = fanOut;
        this.clock = clock;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void deliver(PendingDelivery pending) throws DeliveryFailure {
        String topicArn = pending.delivery().destination();
        Map<String, String> attributes = pending.delivery().attributes();
        UUID messageId = UUID.randomUUID();
        Optional<FanOut.ScopedDedupe> dedupe = carriedDedupe(pending);
        boolean topicExists = jdbi.inTransaction(h -> {
            if (NotifyStore.topic(h, topicArn, false).isEmpty()) {
                return false;
            }
            int first = h.createUpdate("INSERT INTO sns_fanouts (delivery_id, message_id, fanned_at)"
                            + " VALUES (:id, :message, :now) ON CONFLICT DO NOTHING")
                    .bind("id", pending.id())
                    .bind("message", messageId)
                    .bind("now", clock.instant())
                    .execute();
            if (first == 0) {
                return true;
            }
            // A delivery lives at most a day in the outbox (RetryPolicy's maximum age); older marks can go.
            h.createUpdate("DELETE FROM sns_fanouts WHERE fanned_at < :horizon")
                    .bind("horizon", clock.instant().minus(FANOUT_MEMORY))
                    .execute();
            Notification notification = new Notification(
                    messageId.toString(),
                    topicArn,
                    Optional.ofNullable(attributes.get("Subject")).filter(s -> !s.isBlank()),
                    pending.delivery().payload(),
                    Map.of(),
                    clock.instant());
            fanOut.publish(h, notification, FanOut.ProtocolMessages.same(notification.message()), dedupe);
            return true;
        });
        if (!topicExists) {
            throw DeliveryFailure.permanent("topic " + topicArn + " does not exist");
        }
    }

    /**
     * A rule target's {@code DedupePolicy} (Patchtide's extension of the target, carried as a delivery
     * attribute), counted per rule: the same event through two rules is judged by each on its own.
     */
    private static Optional<FanOut.ScopedDedupe> carriedDedupe(PendingDelivery pending) throws DeliveryFailure {
        String text = pending.delivery().attributes().get(DedupePolicy.ATTRIBUTE);
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new FanOut.ScopedDedupe(pending.delivery().source() + " ", DedupePolicy.parse(text)));
        } catch (ApiException.Invalid invalid) {
            throw DeliveryFailure.permanent("invalid DedupePolicy on the rule target: " + invalid.getMessage());
        }
    }
}
