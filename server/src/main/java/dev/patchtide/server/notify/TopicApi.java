package dev.patchtide.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.notify.NotifyMessages.AttributesResponse;
import dev.patchtide.server.notify.NotifyMessages.CreateTopicRequest;
import dev.patchtide.server.notify.NotifyMessages.CreateTopicResponse;
import dev.patchtide.server.notify.NotifyMessages.ListTopicsRequest;
import dev.patchtide.server.notify.NotifyMessages.ListTopicsResponse;
import dev.patchtide.server.notify.NotifyMessages.MessageAttributeValue;
import dev.patchtide.server.notify.NotifyMessages.PublishRequest;
import dev.patchtide.server.notify.NotifyMessages.PublishResponse;
import dev.patchtide.server.notify.NotifyMessages.SetTopicAttributesRequest;
import dev.patchtide.server.notify.NotifyMessages.TopicArnRequest;
import dev.patchtide.server.notify.NotifyMessages.TopicEntry;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/** The topic actions of SNS ({@code Patchtide.CreateTopic}, …, {@code Patchtide.Publish}). */
final class TopicApi {
    private static final String LISTING = "topics";
    private static final int PAGE = 100;
    private static final int MAX_MESSAGE_BYTES = 262_144;
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("^[A-Za-z0-9_.-]{1,256}$");
    private static final Pattern DATA_TYPE = Pattern.compile("^(String|Number|Binary|String\\.Array)(\\..{1,200})?$");
    private static final ObjectMapper JSON = ApiJson.documents();

    private final Jdbi jdbi;
    private final SnsArns arns;
    private final FanOut fanOut;
    private final InstantSource clock;

    TopicApi(Jdbi jdbi, SnsArns arns, FanOut fanOut, InstantSource clock) {
        this.jdbi = jdbi;
        this.arns = arns;
        this.fanOut = fanOut;
        this.clock = clock;
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "Patchtide.CreateTopic", CreateTopicRequest.class, Access.adminOnly(), (q, who) -> create(q)));
        router.register(new Action<>(
                "Patchtide.DeleteTopic", TopicArnRequest.class, Access.adminOnly(), (q, who) -> delete(q)));
        router.register(
                new Action<>("Patchtide.ListTopics", ListTopicsRequest.class, Access.adminOnly(), (q, who) -> list(q)));
        router.register(new Action<>(
                "Patchtide.GetTopicAttributes", TopicArnRequest.class, Access.adminOnly(), (q, who) -> attributes(q)));
        router.register(new Action<>(
                "Patchtide.SetTopicAttributes",
                SetTopicAttributesRequest.class,
                Access.adminOnly(),
                (q, who) -> set(q)));
        router.register(
                new Action<>("Patchtide.Publish", PublishRequest.class, Access.adminOnly(), (q, who) -> publish(q)));
    }

    private CreateTopicResponse create(CreateTopicRequest q) {
        if (!SnsArns.TOPIC_NAME.matcher(q.name()).matches()) {
            throw SnsErrors.invalidParameter(
                    "Topic Name: must be 1 to 256 characters: ASCII letters, digits," + " hyphens and underscores");
        }
        if (q.dataProtectionPolicy() != null) {
            throw SnsErrors.invalidParameter("DataProtectionPolicy: data protection policies are not supported");
        }
        Map<String, String> attributes = topicAttributes(q.attributes() == null ? Map.of() : q.attributes());
        String arn = arns.topicArn(q.name());
        String tags = NotifyStore.json(q.tags() == null ? List.of() : q.tags());
        return jdbi.inTransaction(h -> {
            Topic topic = new Topic(arn, q.name(), attributes, clock.instant());
            if (!NotifyStore.insertTopic(h, topic, tags)) {
                Topic existing = NotifyStore.topic(h, arn, true).orElseThrow();
                if (!existing.attributes().equals(attributes) && !attributes.isEmpty()) {
                    throw SnsErrors.invalidParameter(
                            "Attributes Reason: Topic already exists with different attributes");
                }
            }
            return new CreateTopicResponse(arn);
        });
    }

    private static Map<String, String> topicAttributes(Map<String, String> given) {
        Map<String, String> attributes = new LinkedHashMap<>();
        given.forEach((name, value) -> {
            switch (name) {
                case "DisplayName" -> {
                    checkDisplayName(value);
                    if (!value.isEmpty()) {
                        attributes.put(name, value);
                    }
                }
                case "FifoTopic" -> {
                    if (Boolean.parseBoolean(value)) {
                        throw SnsErrors.invalidParameter("Attributes Reason: FifoTopic: FIFO topics are not supported");
                    }
                }
                default ->
                    throw SnsErrors.invalidParameter(
                            "Attributes Reason: Unknown attribute " + name + "; settable: [DisplayName]");
            }
        });
        return attributes;
    }

    private static void checkDisplayName(String value) {
        if (value == null || value.length() > 100) {
            throw SnsErrors.invalidParameter("DisplayName: must be at most 100 characters");
        }
    }

    private Object delete(TopicArnRequest q) {
        String arn = arns.requireTopicArn("TopicArn", q.topicArn());
        // Deleting a topic that does not exist is not an error in SNS.
        jdbi.useTransaction(h -> NotifyStore.deleteTopic(h, arn));
        return Map.of();
    }

    private ListTopicsResponse list(ListTopicsRequest q) {
        String after = PageToken.decode(LISTING, q.nextToken()).orElse("");
        List<String> page = jdbi.withHandle(h -> NotifyStore.topicArns(h, after, PAGE + 1));
        String next = page.size() > PAGE ? PageToken.encode(LISTING, page.get(PAGE - 1)) : null;
        return new ListTopicsResponse(
                page.stream().limit(PAGE).map(TopicEntry::new).toList(), next);
    }

    private AttributesResponse attributes(TopicArnRequest q) {
        String arn = arns.requireTopicArn("TopicArn", q.topicArn());
        return jdbi.withHandle(h -> {
            Topic topic = NotifyStore.topic(h, arn, false).orElseThrow(SnsErrors::topicNotFound);
            Map<Boolean, Integer> counts = NotifyStore.subscriptionCounts(h, arn);
            Map<String, String> shown = new LinkedHashMap<>();
            shown.put("TopicArn", arn);
            shown.put("Owner", arns.accountId());
            shown.put("DisplayName", topic.displayName());
            shown.put("SubscriptionsConfirmed", Integer.toString(counts.get(true)));
            shown.put("SubscriptionsPending", Integer.toString(counts.get(false)));
            shown.put("SubscriptionsDeleted", "0");
            return new AttributesResponse(shown);
        });
    }

    private Object set(SetTopicAttributesRequest q) {
        String arn = arns.requireTopicArn("TopicArn", q.topicArn());
        if (!q.attributeName().equals("DisplayName")) {
            throw SnsErrors.invalidParameter("AttributeName: settable topic attributes: [DisplayName]");
        }
        String value = q.attributeValue() == null ? "" : q.attributeValue();
        checkDisplayName(value);
        jdbi.useTransaction(h -> {
            Topic topic = NotifyStore.topic(h, arn, true).orElseThrow(SnsErrors::topicNotFound);
            Map<String, String> attributes = new LinkedHashMap<>(topic.attributes());
            if (value.isEmpty()) {
                attributes.remove("DisplayName");
            } else {
                attributes.put("DisplayName", value);
            }
            NotifyStore.setTopicAttributes(h, arn, attributes);
        });
        return Map.of();
    }

    private PublishResponse publish(PublishRequest q) {
        if (q.phoneNumber() != null) {
            throw SnsErrors.invalidParameter("PhoneNumber: SMS is not supported; publish to a topic");
        }
        if (q.topicArn() != null && q.targetArn() != null) {
            throw SnsErrors.invalidParameter("TopicArn or TargetArn Reason: Only one of them may be given");
        }
        if (q.topicArn() == null && q.targetArn() == null) {
            throw SnsErrors.invalidParameter("TopicArn or TargetArn Reason: One of them is required");
        }
        String arn = q.topicArn() != null
                ? arns.requireTopicArn("TopicArn", q.topicArn())
                : arns.requireTopicArn("TargetArn", q.targetArn());
        if (q.messageGroupId() != null || q.messageDeduplicationId() != null) {
            throw SnsErrors.invalidParameter(
                    "MessageGroupId Reason: The request includes MessageGroupId or MessageDeduplicationId,"
                            + " which apply to FIFO topics only");
        }
        if (q.message().isEmpty()) {
            throw SnsErrors.invalidParameter("Message Reason: Empty message");
        }
        if (q.message().getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            throw SnsErrors.invalidParameter("Message too long");
        }
        if (q.subject() != null
                && (q.subject().isEmpty()
                        || q.subject().length() >= 100
                        || !q.subject().chars().allMatch(c -> c >= 0x20 && c < 0x7f))) {
            throw SnsErrors.invalidParameter(
                    "Subject Reason: must be ASCII text without line breaks, 1 to 99" + " characters");
        }
        FanOut.ProtocolMessages messages = messages(q);
        Map<String, Notification.MessageAttribute> attributes = messageAttributes(q.messageAttributes());
        String messageId = UUID.randomUUID().toString();
        jdbi.useTransaction(h -> {
            NotifyStore.topic(h, arn, false).orElseThrow(SnsErrors::topicNotFound);
            fanOut.publish(
                    h,
                    new Notification(
                            messageId, arn, Optional.ofNullable(q.subject()), q.message(), attributes, clock.instant()),
                    messages);
        });
        return new PublishResponse(messageId);
    }

    /** SNS's MessageStructure=json: a JSON object with a {@code default} message and optional ones per protocol. */
    private static FanOut.ProtocolMessages messages(PublishRequest q) {
        if (q.messageStructure() == null) {
            return FanOut.ProtocolMessages.same(q.message());
        }
        if (!q.messageStructure().equals("json")) {
            throw SnsErrors.invalidParameter("MessageStructure: must be json");
        }
        JsonNode structure;
        try {
            structure = JSON.readTree(q.message());
        } catch (JsonProcessingException e) {
            structure = null;
        }
        if (structure == null || !structure.isObject()) {
            throw SnsErrors.invalidParameter("Message Structure - JSON message body failed to parse");
        }
        if (!structure.path("default").isTextual()) {
            throw SnsErrors.invalidParameter("Message Structure - No default entry in JSON message body");
        }
        JsonNode perProtocol = structure;
        return FanOut.ProtocolMessages.of(protocol -> perProtocol.path(protocol).isTextual()
                ? perProtocol.path(protocol).asText()
                : perProtocol.path("default").asText());
    }

    private static Map<String, Notification.MessageAttribute> messageAttributes(
            Map<String, MessageAttributeValue> given) {
        Map<String, Notification.MessageAttribute> attributes = new LinkedHashMap<>();
        if (given == null) {
            return attributes;
        }
        if (given.size() > 10) {
            throw SnsErrors.invalidParameter("MessageAttributes Reason: at most 10 message attributes");
        }
        given.forEach((name, value) -> {
            String where = "MessageAttributes." + name;
            if (!ATTRIBUTE_NAME.matcher(name).matches() || name.startsWith("AWS.") || name.startsWith("Amazon.")) {
                throw SnsErrors.invalidParameter(where + " Reason: invalid message attribute name");
            }
            if (!DATA_TYPE.matcher(value.dataType()).matches()) {
                throw SnsErrors.invalidParameter(
                        where + ".DataType Reason: must be String, Number, Binary or" + " String.Array");
            }
            String type = value.dataType();
            if (type.startsWith("Binary")) {
                if (value.binaryValue() == null) {
                    throw SnsErrors.invalidParameter(where + ".BinaryValue Reason: required for Binary");
                }
                attributes.put(
                        name,
                        new Notification.MessageAttribute(
                                type, Base64.getEncoder().encodeToString(value.binaryValue())));
                return;
            }
            if (value.stringValue() == null) {
                throw SnsErrors.invalidParameter(where + ".StringValue Reason: required for " + type);
            }
            if (type.startsWith("Number")) {
                try {
                    new java.math.BigDecimal(value.stringValue());
                } catch (NumberFormatException e) {
                    throw SnsErrors.invalidParameter(where + ".StringValue Reason: not a number");
                }
            }
            if (type.startsWith("String.Array")) {
                try {
                    if (!JSON.readTree(value.stringValue()).isArray()) {
                        throw SnsErrors.invalidParameter(where + ".StringValue Reason: not a JSON array");
                    }
                } catch (JsonProcessingException e) {
                    throw SnsErrors.invalidParameter(where + ".StringValue Reason: not a JSON array");
                }
            }
            attributes.put(name, new Notification.MessageAttribute(type, value.stringValue()));
        });
        return attributes;
    }
}
