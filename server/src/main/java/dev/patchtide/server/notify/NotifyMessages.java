package dev.patchtide.server.notify;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.util.List;
import java.util.Map;

/** Request and response shapes of the SNS actions, with SNS's member names (botocore sns/2010-03-31). */
final class NotifyMessages {
    private NotifyMessages() {}

    record Tag(String key, String value) {}

    record CreateTopicRequest(String name, Map<String, String> attributes, List<Tag> tags, String dataProtectionPolicy)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name);
            if (tags != null) {
                for (Tag tag : tags) {
                    v.required("tags.member.key", tag.key())
                            .required("tags.member.value", tag.value())
                            .length("tags.member.key", tag.key(), 1, 128)
                            .length("tags.member.value", tag.value(), 0, 256);
                }
            }
        }
    }

    record CreateTopicResponse(String topicArn) {}

    record TopicArnRequest(String topicArn) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("topicArn", topicArn);
        }
    }

    record ListTopicsRequest(String nextToken) implements ApiRequest {
        @Override
        public void validate(Validation v) {}
    }

    record TopicEntry(String topicArn) {}

    record ListTopicsResponse(List<TopicEntry> topics, String nextToken) {}

    record AttributesResponse(Map<String, String> attributes) {}

    record SetTopicAttributesRequest(String topicArn, String attributeName, String attributeValue)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("topicArn", topicArn).required("attributeName", attributeName);
        }
    }

    record SubscribeRequest(
            String topicArn,
            String protocol,
            String endpoint,
            Map<String, String> attributes,
            Boolean returnSubscriptionArn)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("topicArn", topicArn).required("protocol", protocol);
        }
    }

    record SubscriptionArnResponse(String subscriptionArn) {}

    record ConfirmSubscriptionRequest(String topicArn, String token, String authenticateOnUnsubscribe)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("topicArn", topicArn).required("token", token);
        }
    }

    record SubscriptionArnRequest(String subscriptionArn) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("subscriptionArn", subscriptionArn);
        }
    }

    record ListSubscriptionsRequest(String nextToken) implements ApiRequest {
        @Override
        public void validate(Validation v) {}
    }

    record ListSubscriptionsByTopicRequest(String topicArn, String nextToken) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("topicArn", topicArn);
        }
    }

    record SubscriptionEntry(String subscriptionArn, String owner, String protocol, String endpoint, String topicArn) {}

    record ListSubscriptionsResponse(List<SubscriptionEntry> subscriptions, String nextToken) {}

    record SetSubscriptionAttributesRequest(String subscriptionArn, String attributeName, String attributeValue)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("subscriptionArn", subscriptionArn).required("attributeName", attributeName);
        }
    }

    record MessageAttributeValue(String dataType, String stringValue, byte[] binaryValue) {}

    record PublishRequest(
            String topicArn,
            String targetArn,
            String phoneNumber,
            String message,
            String subject,
            String messageStructure,
            Map<String, MessageAttributeValue> messageAttributes,
            String messageDeduplicationId,
            String messageGroupId)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("message", message);
            if (messageAttributes != null) {
                messageAttributes.forEach((name, value) ->
                        v.required("messageAttributes." + name + ".dataType", value == null ? null : value.dataType()));
            }
        }
    }

    record PublishResponse(String messageId) {}
}
