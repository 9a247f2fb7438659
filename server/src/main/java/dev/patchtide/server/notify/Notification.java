package dev.patchtide.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One message published to a topic, as it travels to each subscription: carried by an
 * {@code sns-subscription} delivery (payload = the message, the rest in its attributes).
 */
record Notification(
        String messageId,
        String topicArn,
        Optional<String> subject,
        String message,
        Map<String, MessageAttribute> messageAttributes,
        Instant timestamp) {

    private static final ObjectMapper JSON = ApiJson.documents();

    Notification {
        messageAttributes = Map.copyOf(messageAttributes);
    }

    /** A message attribute as SNS has them: a data type (String, Number, String.Array, Binary) and a value. */
    record MessageAttribute(String dataType, String stringValue) {}

    Notification withMessage(String newMessage) {
        return new Notification(messageId, topicArn, subject, newMessage, messageAttributes, timestamp);
    }

    Map<String, String> toDeliveryAttributes(String type) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("Type", type);
        attributes.put("MessageId", messageId);
        attributes.put("TopicArn", topicArn);
        attributes.put("Timestamp", timestamp.toString());
        subject.ifPresent(s -> attributes.put("Subject", s));
        if (!messageAttributes.isEmpty()) {
            Map<String, Map<String, String>> plain = new LinkedHashMap<>();
            messageAttributes.forEach(
                    (k, v) -> plain.put(k, Map.of("DataType", v.dataType(), "StringValue", v.stringValue())));
            attributes.put("MessageAttributes", NotifyStore.json(plain));
        }
        return attributes;
    }

    static Notification fromDelivery(String payload, Map<String, String> attributes) {
        Map<String, MessageAttribute> messageAttributes = new LinkedHashMap<>();
        String raw = attributes.get("MessageAttributes");
        if (raw != null) {
            try {
                Map<String, Map<String, String>> plain =
                        JSON.readValue(raw, new TypeReference<Map<String, Map<String, String>>>() {});
                plain.forEach((k, v) ->
                        messageAttributes.put(k, new MessageAttribute(v.get("DataType"), v.get("StringValue"))));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("unreadable message attributes", e);
            }
        }
        return new Notification(
                attributes.get("MessageId"),
                attributes.get("TopicArn"),
                Optional.ofNullable(attributes.get("Subject")),
                payload,
                messageAttributes,
                Instant.parse(attributes.get("Timestamp")));
    }
}
