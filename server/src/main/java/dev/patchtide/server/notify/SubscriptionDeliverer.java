package dev.patchtide.server.notify;

import dev.patchtide.server.delivery.Deliverer;
import dev.patchtide.server.delivery.DeliveryFailure;
import dev.patchtide.server.delivery.PendingDelivery;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sns-subscription} deliverer: renders a notification (or a confirmation request) and sends
 * it through the subscription's channel. A subscription deleted since the message was queued gets
 * nothing, as in SNS.
 */
final class SubscriptionDeliverer implements Deliverer {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionDeliverer.class);

    private final Jdbi jdbi;
    private final Channels channels;
    private final MessageRenderer renderer;

    SubscriptionDeliverer(Jdbi jdbi, Channels channels, MessageRenderer renderer) {
        this.jdbi = jdbi;
        this.channels = channels;
        this.renderer = renderer;
    }

    @Override
    public String kind() {
        return FanOut.SUBSCRIPTION_KIND;
    }

    @Override
    public void deliver(PendingDelivery pending) throws DeliveryFailure {
        String arn = pending.delivery().destination();
        Optional<Subscription> found = jdbi.withHandle(h -> NotifyStore.subscription(h, arn));
        if (found.isEmpty()) {
            log.info("delivery {}: subscription {} no longer exists; dropped", pending.id(), arn);
            return;
        }
        Subscription subscription = found.get();
        Channel channel = channels.find(subscription.protocol())
                .orElseThrow(() -> DeliveryFailure.permanent(
                        "protocol " + subscription.protocol() + " is not available on this server"));
        Map<String, String> attributes = pending.delivery().attributes();
        if ("SubscriptionConfirmation".equals(attributes.get("Type"))) {
            channel.sendConfirmation(
                    subscription,
                    new Channel.Confirmation(
                            attributes.get("MessageId"),
                            subscription.topicArn(),
                            attributes.get("Token"),
                            attributes.get("SubscribeURL"),
                            pending.delivery().payload(),
                            java.time.Instant.parse(attributes.get("Timestamp"))),
                    pending.id());
            return;
        }
        Notification notification = Notification.fromDelivery(pending.delivery().payload(), attributes);
        String displayName = jdbi.withHandle(h -> NotifyStore.topic(h, subscription.topicArn(), false))
                .map(Topic::displayName)
                .orElse("");
        channel.send(subscription, notification, renderer.render(notification, displayName), pending.id());
    }
}
