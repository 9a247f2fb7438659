package dev.patchtide.server.notify;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A subscription of an endpoint to a topic. {@code token} proves ownership of the endpoint: it travels
 * in the confirmation message and in unsubscribe links.
 */
record Subscription(
        String arn,
        String topicArn,
        String protocol,
        String endpoint,
        boolean confirmed,
        String token,
        Map<String, String> attributes,
        Instant createdAt) {

    Subscription {
        attributes = Map.copyOf(attributes);
    }

    Optional<String> attribute(String name) {
        return Optional.ofNullable(attributes.get(name)).filter(v -> !v.isEmpty());
    }

    boolean rawMessageDelivery() {
        return attribute("RawMessageDelivery").map(Boolean::parseBoolean).orElse(false);
    }
}
