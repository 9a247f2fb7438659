package dev.patchtide.server.notify;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.delivery.DeliveryFailure;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A chat webhook protocol ({@code slack}, {@code teams}): the endpoint is the webhook URL, each message is
 * the JSON body its builder makes. Confirmed at Subscribe: the webhook belongs to the admin who subscribes it.
 */
final class ChatWebhookChannel implements Channel {
    private final String protocol;
    private final BiFunction<Notification, RenderedMessage, ObjectNode> body;
    private final HttpSender sender;

    ChatWebhookChannel(String protocol, BiFunction<Notification, RenderedMessage, ObjectNode> body, HttpSender sender) {
        this.protocol = protocol;
        this.body = body;
        this.sender = sender;
    }

    static ChatWebhookChannel slack(HttpSender sender) {
        return new ChatWebhookChannel("slack", SlackMessage::body, sender);
    }

    static ChatWebhookChannel teams(HttpSender sender) {
        return new ChatWebhookChannel("teams", TeamsMessage::body, sender);
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public void checkEndpoint(String endpoint) {
        HttpSender.checkUrl(endpoint, protocol, false);
    }

    @Override
    public boolean needsConfirmation() {
        return false;
    }

    @Override
    public void send(Subscription subscription, Notification n, RenderedMessage m, long deliveryId)
            throws DeliveryFailure {
        sender.post(
                subscription.endpoint(),
                "application/json; charset=utf-8",
                body.apply(n, m).toString(),
                Map.of(),
                deliveryId);
    }
}
