package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.AuthorizationErrorException;
import software.amazon.awssdk.services.sns.model.InvalidParameterException;
import software.amazon.awssdk.services.sns.model.MessageAttributeValue;
import software.amazon.awssdk.services.sns.model.NotFoundException;
import software.amazon.awssdk.services.sns.model.SnsException;
import software.amazon.awssdk.services.sns.model.Subscription;
import software.amazon.awssdk.services.sns.model.Tag;
import software.amazon.awssdk.services.sns.model.Topic;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/** The AWS SDK for Java v2's SnsClient, unchanged, against a real server over SNS's query protocol. */
class SnsClientTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    static NotifyFixture notify;
    static Receiver receiver;
    static SnsClient sns;

    @BeforeAll
    static void start() throws Exception {
        notify = new NotifyFixture(MutableClock.ofNow());
        receiver = new Receiver();
        sns = client(
                notify.server.adminKey().accessKeyId(), notify.server.adminKey().secretAccessKey());
    }

    @AfterAll
    static void stop() {
        sns.close();
        receiver.close();
        notify.close();
    }

    static SnsClient client(String accessKeyId, String secretAccessKey) {
        return SnsClient.builder()
                .endpointOverride(notify.server.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)))
                .build();
    }

    @Test
    void createSubscribeConfirmPublishListAndDelete() throws Exception {
        String topic = sns.createTopic(b -> b.name("windows")
                        .attributes(Map.of("DisplayName", "Windows <ops & sec>"))
                        .tags(Tag.builder().key("team").value("ops").build()))
                .topicArn();
        assertThat(topic).isEqualTo("arn:aws:sns:us-east-1:123456789012:windows");
        // One implementation behind both wires: the JSON twin sees the same topic.
        assertThat(notify.call("GetTopicAttributes", Map.of("TopicArn", topic))
                        .path("Attributes")
                        .path("DisplayName")
                        .asText())
                .isEqualTo("Windows <ops & sec>");

        String subscription = sns.subscribe(b -> b.topicArn(topic)
                        .protocol("http")
                        .endpoint(receiver.url("/windows"))
                        .attributes(Map.of("FilterPolicy", "{\"team\":[\"ops\"]}"))
                        .returnSubscriptionArn(true))
                .subscriptionArn();
        assertThat(subscription).startsWith(topic + ":");
        await().atMost(WAIT).until(() -> receiver.to("/windows").size() == 1);
        String token = NotifyFixture.JSON
                .readTree(receiver.to("/windows").getFirst().body())
                .path("Token")
                .asText();
        assertThat(sns.confirmSubscription(b -> b.topicArn(topic).token(token)).subscriptionArn())
                .isEqualTo(subscription);

        // Filtered out by the policy; the next one that arrives is the matching one.
        sns.publish(b -> b.topicArn(topic).message("for dev").messageAttributes(Map.of("team", text("String", "dev"))));
        byte[] blob = {0, 1, 2, (byte) 0xff};
        String messageId = sns.publish(b -> b.topicArn(topic)
                        .subject("Window mw-1 Success")
                        .message("Patched 4 of 4")
                        .messageAttributes(Map.of(
                                "team",
                                text("String", "ops"),
                                "hosts",
                                text("Number", "4"),
                                "digest",
                                MessageAttributeValue.builder()
                                        .dataType("Binary")
                                        .binaryValue(SdkBytes.fromByteArray(blob))
                                        .build())))
                .messageId();
        await().atMost(WAIT).until(() -> receiver.to("/windows").size() == 2);
        JsonNode delivered =
                NotifyFixture.JSON.readTree(receiver.to("/windows").get(1).body());
        assertThat(delivered.path("MessageId").asText()).isEqualTo(messageId);
        assertThat(delivered.path("Subject").asText()).isEqualTo("Window mw-1 Success");
        assertThat(delivered.path("Message").asText()).isEqualTo("Patched 4 of 4");
        JsonNode attributes = delivered.path("MessageAttributes");
        assertThat(attributes.path("team").path("Value").asText()).isEqualTo("ops");
        assertThat(attributes.path("hosts").path("Type").asText()).isEqualTo("Number");
        assertThat(attributes.path("hosts").path("Value").asText()).isEqualTo("4");
        assertThat(attributes.path("digest").path("Type").asText()).isEqualTo("Binary");
        assertThat(Base64.getDecoder()
                        .decode(attributes.path("digest").path("Value").asText()))
                .isEqualTo(blob);

        List<Subscription> byTopic =
                sns.listSubscriptionsByTopic(b -> b.topicArn(topic)).subscriptions();
        assertThat(byTopic).singleElement().satisfies(s -> {
            assertThat(s.subscriptionArn()).isEqualTo(subscription);
            assertThat(s.protocol()).isEqualTo("http");
            assertThat(s.endpoint()).isEqualTo(receiver.url("/windows"));
            assertThat(s.owner()).isEqualTo("123456789012");
            assertThat(s.topicArn()).isEqualTo(topic);
        });
        assertThat(sns.listSubscriptionsPaginator(b -> {}).subscriptions().stream()
                        .map(Subscription::subscriptionArn))
                .contains(subscription);
        assertThat(sns.listTopicsPaginator(b -> {}).topics().stream().map(Topic::topicArn))
                .contains(topic);
        assertThat(sns.getSubscriptionAttributes(b -> b.subscriptionArn(subscription))
                        .attributes())
                .containsEntry("FilterPolicy", "{\"team\":[\"ops\"]}")
                .containsEntry("PendingConfirmation", "false")
                .containsEntry("Protocol", "http");

        sns.setTopicAttributes(
                b -> b.topicArn(topic).attributeName("DisplayName").attributeValue("Windows"));
        sns.setSubscriptionAttributes(b -> b.subscriptionArn(subscription)
                .attributeName("RawMessageDelivery")
                .attributeValue("true"));
        assertThat(sns.getTopicAttributes(b -> b.topicArn(topic)).attributes())
                .containsEntry("DisplayName", "Windows")
                .containsEntry("SubscriptionsConfirmed", "1")
                .containsEntry("TopicArn", topic);

        sns.unsubscribe(b -> b.subscriptionArn(subscription));
        assertThat(sns.listSubscriptionsByTopic(b -> b.topicArn(topic)).subscriptions())
                .isEmpty();
        sns.deleteTopic(b -> b.topicArn(topic));
        assertThat(sns.listTopics().topics()).extracting(Topic::topicArn).doesNotContain(topic);
    }

    @Test
    void errorsAreTheModelsExceptionsWithTheirStatus() throws Exception {
        assertThatThrownBy(() -> sns.getTopicAttributes(b -> b.topicArn("arn:aws:sns:us-east-1:123456789012:nope")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NotFound");
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Topic does not exist");
                    assertThat(e.requestId()).isNotBlank();
                });
        assertThatThrownBy(() -> sns.unsubscribe(b -> b.subscriptionArn(
                        "arn:aws:sns:us-east-1:123456789012:nope:" + "0b2f8a36-5e1c-4c1e-9d8a-2f6c1b9e4a11")))
                .isInstanceOfSatisfying(
                        NotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));

        assertThatThrownBy(() -> sns.subscribe(
                        b -> b.topicArn("not-an-arn").protocol("http").endpoint(receiver.url("/x"))))
                .isInstanceOfSatisfying(InvalidParameterException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameter");
                    assertThat(e.awsErrorDetails().errorMessage()).startsWith("Invalid parameter: TopicArn");
                });
        String topic = sns.createTopic(b -> b.name("errors")).topicArn();
        assertThatThrownBy(() -> sns.publish(
                        b -> b.topicArn(topic).message("m").messageAttributes(Map.of("team", text("Colour", "red")))))
                .isInstanceOfSatisfying(InvalidParameterException.class, e -> assertThat(
                                e.awsErrorDetails().errorMessage())
                        .contains("MessageAttributes.team.DataType"));

        try (SnsClient forged = client(notify.server.adminKey().accessKeyId(), "not-the-secret-0000000000000000")) {
            assertThatThrownBy(() -> forged.listTopics()).isInstanceOfSatisfying(SnsException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
            });
        }
        CreateActivationResponse activation = notify.server.ssm().createActivation(b -> b.iamRole("r"));
        FakeAgent agent =
                FakeAgent.register(notify.server.endpoint(), activation.activationId(), activation.activationCode());
        try (SnsClient asInstance = client(agent.accessKeyId(), agent.secretAccessKey())) {
            assertThatThrownBy(() -> asInstance.publish(b -> b.topicArn(topic).message("m")))
                    .isInstanceOfSatisfying(AuthorizationErrorException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorMessage())
                                .contains("is not authorized to perform")
                                .contains(agent.instanceId());
                    });
        }
    }

    private static MessageAttributeValue text(String type, String value) {
        return MessageAttributeValue.builder().dataType(type).stringValue(value).build();
    }
}
