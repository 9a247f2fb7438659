package dev.patchtide.server.notify;

import dev.patchtide.server.delivery.DeliveryFailure;

/**
 * One subscription protocol: how its endpoints look, whether they must confirm, and how a message
 * leaves for them. Implementations: {@link EmailChannel}, {@link HttpChannel} (http and https),
 * {@link ChatWebhookChannel} (Slack, Teams), {@link TicketChannel}.
 */
interface Channel {
    String protocol();

    /** Throws SNS's {@code InvalidParameter} naming {@code Endpoint} when the endpoint cannot be used. */
    void checkEndpoint(String endpoint);

    /** Whether the endpoint's owner must confirm (email, http/https) before messages flow. */
    boolean needsConfirmation();

    /** Sends the confirmation request; only called when {@link #needsConfirmation()}. */
    default void sendConfirmation(Subscription subscription, Confirmation confirmation, long deliveryId)
            throws DeliveryFailure {
        throw DeliveryFailure.permanent(protocol() + " subscriptions need no confirmation");
    }

    /** Sends a notification; {@code rendered} is the message made readable, for channels that format it. */
    void send(Subscription subscription, Notification notification, RenderedMessage rendered, long deliveryId)
            throws DeliveryFailure;

    /** What a confirmation request carries: the token and the URL that confirms with it. */
    record Confirmation(
            String messageId,
            String topicArn,
            String token,
            String confirmUrl,
            String message,
            java.time.Instant timestamp) {}
}
