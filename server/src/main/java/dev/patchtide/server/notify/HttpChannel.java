package dev.patchtide.server.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.delivery.DeliveryFailure;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The {@code http} and {@code https} protocols as SNS has them: a {@code SubscriptionConfirmation} POST
 * carrying the token and a {@code SubscribeURL}, then {@code Notification} POSTs in SNS's JSON shape
 * (or the bare message with {@code RawMessageDelivery}). Messages are not signed: SNS's signing
 * certificates are Amazon's; receivers authenticate by the secret URL or {@code X-Patchtide-Delivery-Id}.
 */
final class HttpChannel implements Channel {
    private static final ObjectMapper JSON = ApiJson.documents();
    private static final DateTimeFormatter SNS_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String CONTENT_TYPE = "text/plain; charset=UTF-8";

    private final String protocol;
    private final HttpSender sender;
    private final Links links;

    HttpChannel(String protocol, HttpSender sender, Links links) {
        this.protocol = protocol;
        this.sender = sender;
        this.links = links;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public void checkEndpoint(String endpoint) {
        HttpSender.checkUrl(endpoint, protocol, protocol.equals("https"));
        if (!endpoint.startsWith(protocol + "://")) {
            throw SnsErrors.invalidParameter(
                    "Endpoint Reason: an " + protocol + " endpoint must start with " + protocol + "://");
        }
    }

    @Override
    public boolean needsConfirmation() {
        return true;
    }

    @Override
    public void sendConfirmation(Subscription subscription, Confirmation confirmation, long deliveryId)
            throws DeliveryFailure {
        ObjectNode body = JSON.createObjectNode()
                .put("Type", "SubscriptionConfirmation")
                .put("MessageId", confirmation.messageId())
                .put("Token", confirmation.token())
                .put("TopicArn", confirmation.topicArn())
                .put("Message", confirmation.message())
                .put("SubscribeURL", confirmation.confirmUrl())
                .put("Timestamp", time(confirmation.timestamp()));
        sender.post(
                subscription.endpoint(),
                CONTENT_TYPE,
                body.toString(),
                Map.of(
                        "x-amz-sns-message-type", "SubscriptionConfirmation",
                        "x-amz-sns-message-id", confirmation.messageId(),
                        "x-amz-sns-topic-arn", confirmation.topicArn()),
                deliveryId);
    }

    @Override
    public void send(Subscription subscription, Notification n, RenderedMessage rendered, long deliveryId)
            throws DeliveryFailure {
        Map<String, String> headers = Map.of(
                "x-amz-sns-message-type", "Notification",
                "x-amz-sns-message-id", n.messageId(),
                "x-amz-sns-topic-arn", n.topicArn(),
                "x-amz-sns-subscription-arn", subscription.arn());
        if (subscription.rawMessageDelivery()) {
            java.util.Map<String, String> raw = new java.util.HashMap<>(headers);
            raw.put("x-amz-sns-rawdelivery", "true");
            sender.post(subscription.endpoint(), CONTENT_TYPE, n.message(), raw, deliveryId);
            return;
        }
        ObjectNode body = JSON.createObjectNode()
                .put("Type", "Notification")
                .put("MessageId", n.messageId())
                .put("TopicArn", n.topicArn());
        n.subject().ifPresent(s -> body.put("Subject", s));
        body.put("Message", n.message())
                .put("Timestamp", time(n.timestamp()))
                .put("UnsubscribeURL", links.unsubscribe(subscription));
        if (!n.messageAttributes().isEmpty()) {
            ObjectNode attributes = body.putObject("MessageAttributes");
            n.messageAttributes().forEach((name, value) -> attributes
                    .putObject(name)
                    .put("Type", value.dataType())
                    .put("Value", value.stringValue()));
        }
        sender.post(subscription.endpoint(), CONTENT_TYPE, body.toString(), headers, deliveryId);
    }

    static String time(Instant instant) {
        return SNS_TIME.format(instant);
    }
}
