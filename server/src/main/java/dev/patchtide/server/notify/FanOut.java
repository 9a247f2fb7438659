package dev.patchtide.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.delivery.Delivery;
import dev.patchtide.server.delivery.Outbox;
import dev.patchtide.server.delivery.RetryPolicy;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;

/**
 * Hands a published message to a topic's subscriptions, in the caller's transaction: each confirmed
 * subscription whose filter policy passes it and whose dedupe policy finds it news gets its own
 * {@code sns-subscription} delivery in the outbox.
 */
final class FanOut {
    static final String SUBSCRIPTION_KIND = "sns-subscription";

    private final Outbox outbox;
    private final InstantSource clock;

    FanOut(Outbox outbox, InstantSource clock) {
        this.outbox = outbox;
        this.clock = clock;
    }

    /**
     * @param messageFor the message per protocol (SNS's MessageStructure json), or the identity
     * @return how many deliveries were enqueued
     */
    int publish(Handle h, Notification notification, ProtocolMessages messageFor) {
        return publish(h, notification, messageFor, Optional.empty());
    }

    /**
     * As {@link #publish(Handle, Notification, ProtocolMessages)}, with a dedupe policy the message brought
     * along (a rule target's): it applies to each subscription that has none of its own, in its own scope.
     */
    int publish(Handle h, Notification notification, ProtocolMessages messageFor, Optional<ScopedDedupe> carried) {
        int enqueued = 0;
        for (Subscription subscription : NotifyStore.confirmedSubscriptions(h, notification.topicArn())) {
            Notification own = notification.withMessage(messageFor.forProtocol(subscription.protocol()));
            if (!FilterPolicy.passes(subscription, own) || !news(h, subscription, own, carried)) {
                continue;
            }
            outbox.enqueue(
                    h,
                    new Delivery(
                            SUBSCRIPTION_KIND,
                            subscription.arn(),
                            own.message(),
                            own.toDeliveryAttributes("Notification"),
                            notification.topicArn(),
                            RetryPolicy.DEFAULT));
            enqueued++;
        }
        return enqueued;
    }

    private boolean news(
            Handle h, Subscription subscription, Notification notification, Optional<ScopedDedupe> carried) {
        Optional<ScopedDedupe> own = subscription
                .attribute(DedupePolicy.ATTRIBUTE)
                .map(text -> new ScopedDedupe("", DedupePolicy.parse(text)));
        Optional<ScopedDedupe> applies = own.or(() -> carried);
        if (applies.isEmpty()) {
            return true;
        }
        DedupePolicy policy = applies.get().policy();
        Optional<JsonNode> message = DedupePolicy.parseMessage(notification.message());
        Optional<String> key = policy.key(message);
        // A carried policy keeps its own ledger entries (scope + key), apart from the subscription's.
        return key.isEmpty()
                || DedupeLedger.shouldNotify(
                        h,
                        subscription.arn(),
                        policy,
                        applies.get().scope() + key.get(),
                        policy.condition(message),
                        clock.instant());
    }

    /** A dedupe policy that came with a message, and the ledger scope it counts in (for example a rule's ARN). */
    record ScopedDedupe(String scope, DedupePolicy policy) {}

    /** The message each protocol gets. */
    @FunctionalInterface
    interface ProtocolMessages {
        String forProtocol(String protocol);

        static ProtocolMessages same(String message) {
            return protocol -> message;
        }

        static ProtocolMessages of(UnaryOperator<String> perProtocol) {
            return perProtocol::apply;
        }
    }
}
