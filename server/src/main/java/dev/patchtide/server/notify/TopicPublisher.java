package dev.patchtide.server.notify;

import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * How other features publish to one of Patchtide's topics (run command notifications, for example), inside
 * their own transaction: the message goes through the same fan-out as {@code Publish}, so each confirmed
 * subscription whose filter and dedupe policies let it through gets one delivery in the outbox, committed with
 * the caller's change or not at all.
 */
public final class TopicPublisher {
    private final FanOut fanOut;
    private final InstantSource clock;

    TopicPublisher(FanOut fanOut, InstantSource clock) {
        this.fanOut = fanOut;
        this.clock = clock;
    }

    /** Whether {@code topicArn} names an existing topic of this server. */
    public static boolean exists(Handle handle, String topicArn) {
        return topicArn != null && NotifyStore.topic(handle, topicArn, false).isPresent();
    }

    /**
     * Publishes {@code message} to the topic in the transaction of {@code handle}.
     *
     * @return the message id, or empty when the topic no longer exists (nothing is sent then, as SNS would
     *     refuse the publish)
     */
    public Optional<String> publish(Handle handle, String topicArn, Optional<String> subject, String message) {
        if (!exists(handle, topicArn)) {
            return Optional.empty();
        }
        String messageId = UUID.randomUUID().toString();
        fanOut.publish(
                handle,
                new Notification(messageId, topicArn, subject, message, Map.of(), clock.instant()),
                FanOut.ProtocolMessages.same(message));
        return Optional.of(messageId);
    }
}
