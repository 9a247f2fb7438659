package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.testing.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TopicApiTest {
    private final NotifyFixture notify = new NotifyFixture(MutableClock.ofNow());

    @AfterEach
    void stop() {
        notify.close();
    }

    @Test
    void topicsAreCreatedIdempotentlyListedDescribedAndDeleted() throws Exception {
        String arn = notify.createTopic("patch-alerts");
        assertThat(arn).isEqualTo("arn:aws:sns:us-east-1:123456789012:patch-alerts");
        assertThat(notify.createTopic("patch-alerts")).isEqualTo(arn);
        notify.call(
                "SetTopicAttributes", Map.of("TopicArn", arn, "AttributeName", "DisplayName", "AttributeValue", "Ops"));

        JsonNode attributes =
                notify.call("GetTopicAttributes", Map.of("TopicArn", arn)).path("Attributes");
        assertThat(attributes.path("TopicArn").asText()).isEqualTo(arn);
        assertThat(attributes.path("Owner").asText()).isEqualTo("123456789012");
        assertThat(attributes.path("DisplayName").asText()).isEqualTo("Ops");
        assertThat(attributes.path("SubscriptionsConfirmed").asText()).isEqualTo("0");

        assertThat(notify.call("ListTopics", Map.of()).path("Topics").findValuesAsText("TopicArn"))
                .containsExactly(arn);
        notify.call("DeleteTopic", Map.of("TopicArn", arn));
        notify.call("DeleteTopic", Map.of("TopicArn", arn));
        assertThat(notify.call("ListTopics", Map.of()).path("Topics")).isEmpty();
        assertThatThrownBy(() -> notify.call("GetTopicAttributes", Map.of("TopicArn", arn)))
                .isInstanceOf(ApiCallException.class)
                .hasMessage("NotFound: Topic does not exist");
    }

    @Test
    void listTopicsPagesByHundred() throws Exception {
        for (int i = 0; i < 105; i++) {
            notify.createTopic("t" + String.format("%03d", i));
        }
        JsonNode first = notify.call("ListTopics", Map.of());
        assertThat(first.path("Topics")).hasSize(100);
        JsonNode second = notify.call(
                "ListTopics", Map.of("NextToken", first.path("NextToken").asText()));
        List<String> all = new ArrayList<>(first.path("Topics").findValuesAsText("TopicArn"));
        all.addAll(second.path("Topics").findValuesAsText("TopicArn"));
        assertThat(all).hasSize(105).doesNotHaveDuplicates();
        assertThat(second.has("NextToken")).isFalse();
    }

    @Test
    void badInputNamesTheMemberAndChangesNothing() throws Exception {
        assertThatThrownBy(() -> notify.createTopic("no spaces"))
                .isInstanceOf(ApiCallException.class)
                .hasMessageStartingWith("InvalidParameter: Invalid parameter: Topic Name");
        assertThatThrownBy(() ->
                        notify.call("CreateTopic", Map.of("Name", "x", "Attributes", Map.of("FifoTopic", "true"))))
                .hasMessageContaining("FifoTopic");
        assertThatThrownBy(() -> notify.call("CreateTopic", Map.of()))
                .hasMessageContaining("ValidationException")
                .hasMessageContaining("'name'");
        assertThat(notify.call("ListTopics", Map.of()).path("Topics")).isEmpty();

        String arn = notify.createTopic("alerts");
        assertThatThrownBy(() ->
                        notify.subscribe(arn, "slack", "https://hooks.example/x", Map.of("FilterPolicy", "{\"a\": 1}")))
                .isInstanceOf(ApiCallException.class)
                .hasMessageStartingWith("InvalidParameter: Invalid parameter: FilterPolicy:");
        assertThatThrownBy(() ->
                        notify.subscribe(arn, "slack", "https://hooks.example/x", Map.of("FilterPolicy", "not json")))
                .hasMessageContaining("FilterPolicy");
        assertThatThrownBy(() -> notify.subscribe(
                        arn,
                        "slack",
                        "https://hooks.example/x",
                        Map.of("FilterPolicy", "{\"detail\": {\"a\": [\"b\"]}}")))
                .hasMessageContaining("FilterPolicy: Filter policy scope MessageAttributes does not support nested");
        assertThatThrownBy(() -> notify.subscribe(arn, "slack", "not a url", Map.of()))
                .hasMessageContaining("Invalid parameter: Endpoint");
        assertThatThrownBy(() -> notify.subscribe(arn, "sms", "+15555550100", Map.of()))
                .hasMessageContaining("does not support this protocol string: sms");
        assertThatThrownBy(() -> notify.subscribe(arn, "email", "ops@example.com", Map.of()))
                .hasMessageContaining("--smtp-host");
        assertThatThrownBy(() -> notify.subscribe(
                        arn,
                        "slack",
                        "https://hooks.example/x",
                        Map.of("DedupePolicy", "{\"KeyPath\": \"$.detail.x\", \"RemindAfter\": \"soon\"}")))
                .hasMessageContaining("DedupePolicy: RemindAfter");
        assertThatThrownBy(() -> notify.subscribe(arn, "ticket", "https://jira.example/rest/api/2/issue", Map.of()))
                .hasMessageContaining("TicketTemplate");
        assertThatThrownBy(() -> notify.subscribe(
                        arn,
                        "ticket",
                        "https://jira.example/rest/api/2/issue",
                        Map.of("TicketTemplate", "{\"summary\": \"{{Nope}}\"}")))
                .hasMessageContaining("unknown placeholder {{Nope}}");
        assertThatThrownBy(() -> notify.subscribe(
                        "arn:aws:sns:us-east-1:123456789012:missing", "slack", "https://hooks.example/x", Map.of()))
                .hasMessage("NotFound: Topic does not exist");
        assertThat(notify.call("ListSubscriptions", Map.of()).path("Subscriptions"))
                .isEmpty();

        assertThatThrownBy(
                        () -> notify.call("Publish", Map.of("TopicArn", arn, "Message", "m", "Subject", "two\nlines")))
                .hasMessageContaining("Invalid parameter: Subject");
        assertThatThrownBy(() -> notify.call("Publish", Map.of("Message", "m")))
                .hasMessageContaining("TopicArn or TargetArn");
        assertThatThrownBy(() -> notify.call(
                        "Publish",
                        Map.of(
                                "TopicArn",
                                arn,
                                "Message",
                                "m",
                                "MessageAttributes",
                                Map.of("n", Map.of("DataType", "Number", "StringValue", "x")))))
                .hasMessageContaining("MessageAttributes.n.StringValue");
        assertThatThrownBy(() ->
                        notify.call("Publish", Map.of("TopicArn", arn, "Message", "{}", "MessageStructure", "json")))
                .hasMessageContaining("No default entry");
        assertThat(notify.outboxSize()).isZero();
    }

    @Test
    void subscriptionsAreListedAttributesSetAndUnsubscribed() throws Exception {
        String arn = notify.createTopic("alerts");
        String slack = notify.subscribe(arn, "slack", "https://hooks.example/services/T0/B0/x", Map.of());
        assertThat(slack).startsWith(arn + ":");
        Map<String, Object> http = Map.of("TopicArn", arn, "Protocol", "http", "Endpoint", "http://127.0.0.1:9/hook");
        assertThat(notify.call("Subscribe", http).path("SubscriptionArn").asText())
                .isEqualTo("pending confirmation");

        JsonNode listed =
                notify.call("ListSubscriptionsByTopic", Map.of("TopicArn", arn)).path("Subscriptions");
        assertThat(listed.findValuesAsText("SubscriptionArn")).containsExactlyInAnyOrder(slack, "PendingConfirmation");
        assertThat(listed.findValuesAsText("Owner")).containsOnly("123456789012");

        notify.call(
                "SetSubscriptionAttributes",
                Map.of(
                        "SubscriptionArn",
                        slack,
                        "AttributeName",
                        "FilterPolicy",
                        "AttributeValue",
                        "{\"severity\": [\"CRITICAL\"]}"));
        assertThatThrownBy(() -> notify.call(
                        "SetSubscriptionAttributes",
                        Map.of(
                                "SubscriptionArn",
                                slack,
                                "AttributeName",
                                "FilterPolicy",
                                "AttributeValue",
                                "{\"severity\": \"CRITICAL\"}")))
                .hasMessageContaining("FilterPolicy");
        assertThatThrownBy(() -> notify.call(
                        "SetSubscriptionAttributes",
                        Map.of(
                                "SubscriptionArn",
                                slack,
                                "AttributeName",
                                "RawMessageDelivery",
                                "AttributeValue",
                                "true")))
                .hasMessageContaining("RawMessageDelivery");
        JsonNode attributes = notify.call("GetSubscriptionAttributes", Map.of("SubscriptionArn", slack))
                .path("Attributes");
        assertThat(attributes.path("FilterPolicy").asText()).isEqualTo("{\"severity\": [\"CRITICAL\"]}");
        assertThat(attributes.path("FilterPolicyScope").asText()).isEqualTo("MessageAttributes");
        assertThat(attributes.path("PendingConfirmation").asText()).isEqualTo("false");
        assertThat(attributes.path("Protocol").asText()).isEqualTo("slack");
        assertThat(notify.call("GetTopicAttributes", Map.of("TopicArn", arn))
                        .path("Attributes")
                        .path("SubscriptionsPending")
                        .asText())
                .isEqualTo("1");

        notify.call("Unsubscribe", Map.of("SubscriptionArn", slack));
        assertThatThrownBy(() -> notify.call("Unsubscribe", Map.of("SubscriptionArn", slack)))
                .hasMessage("NotFound: Subscription does not exist");
        notify.call("DeleteTopic", Map.of("TopicArn", arn));
        assertThat(notify.call("ListSubscriptions", Map.of()).path("Subscriptions"))
                .isEmpty();
    }
}
