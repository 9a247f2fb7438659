package dev.patchtide.server.notify;

import static dev.patchtide.server.api.QueryShape.Scalar.BOOLEAN;
import static dev.patchtide.server.api.QueryShape.Scalar.STRING;
import static dev.patchtide.server.api.QueryShape.member;

import dev.patchtide.server.api.QueryService;
import dev.patchtide.server.api.QueryService.Operation;
import dev.patchtide.server.api.QueryShape;
import dev.patchtide.server.api.QueryShape.ListOf;
import dev.patchtide.server.api.QueryShape.MapOf;
import dev.patchtide.server.api.QueryShape.Member;
import dev.patchtide.server.api.QueryShape.Structure;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SNS on its own wire, the AWS query protocol: the operations of botocore's {@code sns/2010-03-31}
 * model that Patchtide has, each run by its {@code Patchtide.<Action>} JSON twin, with the model's
 * input and output shapes and error codes.
 */
final class SnsQuery {
    static final String VERSION = "2010-03-31";
    static final String NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

    private static final Structure TAG = Structure.of(member("Key", STRING), member("Value", STRING));
    private static final Structure MESSAGE_ATTRIBUTE = Structure.of(
            member("DataType", STRING),
            member("StringValue", STRING),
            // A blob: base64 text on the query wire, as in the JSON twin's tree.
            member("BinaryValue", STRING));
    private static final Structure TOPIC_ARN = Structure.of(member("TopicArn", STRING));
    private static final Structure SUBSCRIPTION_ARN = Structure.of(member("SubscriptionArn", STRING));
    private static final Structure ATTRIBUTES = Structure.of(member("Attributes", MapOf.ofStrings()));
    private static final QueryShape SUBSCRIPTIONS = new ListOf(Structure.of(
            member("SubscriptionArn", STRING),
            member("Owner", STRING),
            member("Protocol", STRING),
            member("Endpoint", STRING),
            member("TopicArn", STRING)));
    private static final Member NEXT_TOKEN = member("NextToken", STRING);

    private SnsQuery() {}

    static QueryService service() {
        return QueryService.of(
                NAMESPACE,
                VERSION,
                "sns",
                List.of(
                        operation(
                                "CreateTopic",
                                Structure.of(
                                        member("Name", STRING),
                                        member("Attributes", MapOf.ofStrings()),
                                        member("Tags", new ListOf(TAG)),
                                        member("DataProtectionPolicy", STRING)),
                                TOPIC_ARN),
                        operation("DeleteTopic", TOPIC_ARN, null),
                        operation(
                                "ListTopics",
                                Structure.of(NEXT_TOKEN),
                                Structure.of(member("Topics", new ListOf(TOPIC_ARN)), NEXT_TOKEN)),
                        operation("GetTopicAttributes", TOPIC_ARN, ATTRIBUTES),
                        operation("SetTopicAttributes", attributeChange("TopicArn"), null),
                        operation(
                                "Subscribe",
                                Structure.of(
                                        member("TopicArn", STRING),
                                        member("Protocol", STRING),
                                        member("Endpoint", STRING),
                                        member("Attributes", MapOf.ofStrings()),
                                        member("ReturnSubscriptionArn", BOOLEAN)),
                                SUBSCRIPTION_ARN),
                        operation(
                                "ConfirmSubscription",
                                Structure.of(
                                        member("TopicArn", STRING),
                                        member("Token", STRING),
                                        member("AuthenticateOnUnsubscribe", STRING)),
                                SUBSCRIPTION_ARN),
                        operation("Unsubscribe", SUBSCRIPTION_ARN, null),
                        operation(
                                "ListSubscriptions",
                                Structure.of(NEXT_TOKEN),
                                Structure.of(member("Subscriptions", SUBSCRIPTIONS), NEXT_TOKEN)),
                        operation(
                                "ListSubscriptionsByTopic",
                                Structure.of(member("TopicArn", STRING), NEXT_TOKEN),
                                Structure.of(member("Subscriptions", SUBSCRIPTIONS), NEXT_TOKEN)),
                        operation("GetSubscriptionAttributes", SUBSCRIPTION_ARN, ATTRIBUTES),
                        operation("SetSubscriptionAttributes", attributeChange("SubscriptionArn"), null),
                        operation(
                                "Publish",
                                Structure.of(
                                        member("TopicArn", STRING),
                                        member("TargetArn", STRING),
                                        member("PhoneNumber", STRING),
                                        member("Message", STRING),
                                        member("Subject", STRING),
                                        member("MessageStructure", STRING),
                                        member("MessageAttributes", new MapOf("Name", "Value", MESSAGE_ATTRIBUTE)),
                                        member("MessageDeduplicationId", STRING),
                                        member("MessageGroupId", STRING)),
                                Structure.of(member("MessageId", STRING), member("SequenceNumber", STRING)))),
                // The JSON twin's generic codes, as the sns model names them.
                Map.of(
                        "AccessDeniedException", "AuthorizationError",
                        "SerializationException", "InvalidParameter",
                        "InternalServerError", "InternalError"));
    }

    private static Structure attributeChange(String arnMember) {
        return Structure.of(
                member(arnMember, STRING), member("AttributeName", STRING), member("AttributeValue", STRING));
    }

    /** {@code output} null: the model gives the operation no output. */
    private static Operation operation(String name, Structure input, Structure output) {
        return new Operation(name, "Patchtide." + name, input, Optional.ofNullable(output));
    }
}
