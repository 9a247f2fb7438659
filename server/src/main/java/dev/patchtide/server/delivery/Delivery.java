package dev.patchtide.server.delivery;

import java.util.Map;

/**
 * One message to hand to one destination, at least once.
 *
 * @param destinationKind picks the {@link Deliverer} (for example {@code http}, {@code sns-topic})
 * @param destination what that deliverer understands as the address: an ARN, an endpoint id
 * @param payload the body to deliver, usually JSON text
 * @param attributes deliverer-specific settings travelling with the message (a subject, a header)
 * @param source who caused it, for the dead-letter listing (for example a rule's ARN); may be empty
 */
public record Delivery(
        String destinationKind,
        String destination,
        String payload,
        Map<String, String> attributes,
        String source,
        RetryPolicy retryPolicy) {

    public Delivery {
        attributes = Map.copyOf(attributes);
    }
}
