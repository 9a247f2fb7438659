package dev.patchtide.server.notify;

import dev.patchtide.server.delivery.DeliveryFailure;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code ticket} protocol: opens an issue in a ticketing system over its REST API. The endpoint is
 * the create-issue URL; the subscription's {@code TicketTemplate} is the body and
 * {@code TicketAuthorization}, when set, the {@code Authorization} header. Confirmed at Subscribe.
 */
final class TicketChannel implements Channel {
    private final HttpSender sender;

    TicketChannel(HttpSender sender) {
        this.sender = sender;
    }

    @Override
    public String protocol() {
        return "ticket";
    }

    @Override
    public void checkEndpoint(String endpoint) {
        HttpSender.checkUrl(endpoint, protocol(), false);
    }

    @Override
    public boolean needsConfirmation() {
        return false;
    }

    @Override
    public void send(Subscription subscription, Notification n, RenderedMessage m, long deliveryId)
            throws DeliveryFailure {
        String template = subscription
                .attribute(TicketTemplate.ATTRIBUTE)
                .orElseThrow(() -> DeliveryFailure.permanent("ticket subscription has no TicketTemplate"));
        Map<String, String> values = new HashMap<>();
        values.put("Subject", m.title());
        values.put("Text", m.plainText());
        values.put("Message", n.message());
        values.put("Link", m.link().orElse(""));
        values.put(
                "InstanceIds",
                m.instances().stream()
                        .map(RenderedMessage.InstanceLine::instanceId)
                        .collect(Collectors.joining(",")));
        values.put("TopicArn", n.topicArn());
        values.put("MessageId", n.messageId());
        Map<String, String> headers = new HashMap<>();
        headers.put("Accept", "application/json");
        subscription.attribute(TicketTemplate.AUTHORIZATION_ATTRIBUTE).ifPresent(a -> headers.put("Authorization", a));
        sender.post(
                subscription.endpoint(),
                "application/json",
                TicketTemplate.fill(template, values),
                headers,
                deliveryId);
    }
}
