package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.delivery.Delivery;
import dev.patchtide.server.delivery.PendingDelivery;
import dev.patchtide.server.delivery.RetryPolicy;
import dev.patchtide.server.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Filter policies, dedupe and the sns-topic deliverer decide who gets what, in the fan-out transaction. */
class FanOutTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MutableClock clock = MutableClock.ofNow();
    private NotifyFixture notify;
    private Receiver receiver;
    private String topic;

    @BeforeEach
    void start() throws Exception {
        notify = new NotifyFixture(clock);
        receiver = new Receiver();
        topic = notify.createTopic("fleet-events");
    }

    @AfterEach
    void stop() {
        receiver.close();
        notify.close();
    }

    @Test
    void filterPoliciesOnAttributesAndOnTheBodyAreMatchedWithEventRuler() throws Exception {
        notify.subscribe(
                topic,
                "slack",
                receiver.url("/urgent"),
                Map.of(
                        "FilterPolicy",
                        "{\"severity\": [\"CRITICAL\", \"HIGH\"], \"missing\": [{\"numeric\": [\">\", 2]}]}"));
        notify.subscribe(
                topic,
                "slack",
                receiver.url("/noncompliant"),
                Map.of(
                        "FilterPolicyScope", "MessageBody",
                        "FilterPolicy",
                                "{\"source\": [{\"prefix\": \"aws.\"}], \"detail\": {\"compliance-status\": [\"NON_COMPLIANT\"]}}"));
        notify.subscribe(
                topic,
                "slack",
                receiver.url("/teams-tag"),
                Map.of(
                        "FilterPolicy",
                        "{\"teams\": [\"db\"], \"$or\": [{\"env\": [\"prod\"]}, {\"env\": [{\"anything-but\": [\"dev\", \"prod\"]}]}]}"));

        publish("critical with 5 missing", Map.of("severity", string("CRITICAL"), "missing", number("5")));
        publish("critical with 1 missing", Map.of("severity", string("CRITICAL"), "missing", number("1")));
        publish("low", Map.of("severity", string("LOW"), "missing", number("9")));
        publish(NotifyFixture.complianceEvent("mi-0123456789abcdef0", "NON_COMPLIANT", "HIGH"), Map.of());
        publish(NotifyFixture.complianceEvent("mi-0123456789abcdef0", "COMPLIANT", "UNSPECIFIED"), Map.of());
        publish("db in staging", Map.of("teams", stringArray("[\"web\", \"db\"]"), "env", string("staging")));
        publish("db in dev", Map.of("teams", stringArray("[\"db\"]"), "env", string("dev")));
        publish("no attributes at all", Map.of());
        await().atMost(WAIT).until(() -> notify.outboxSize() == 0);

        assertThat(texts("/urgent")).containsExactly("critical with 5 missing");
        assertThat(texts("/noncompliant")).singleElement().asString().contains("Patch compliance NON_COMPLIANT");
        assertThat(texts("/teams-tag")).containsExactly("db in staging");
    }

    @Test
    void dedupeSendsOncePerKeyAndConditionUntilItChangesAndRemindsAfterThePeriod() throws Exception {
        notify.subscribe(
                topic,
                "slack",
                receiver.url("/reboots"),
                Map.of(
                        "DedupePolicy",
                        "{\"KeyPath\": \"$.detail.resource-id\", \"ConditionPath\": \"$.detail.reboot-pending\","
                                + " \"RemindAfter\": \"P7D\"}"));
        String a = "mi-0aaaaaaaaaaaaaaaa";
        String b = "mi-0bbbbbbbbbbbbbbbb";

        assertThat(rebootEvent(a, true)).as("first event for the instance").isEqualTo(1);
        clock.advance(Duration.ofDays(1));
        assertThat(rebootEvent(a, true)).as("same condition next day").isZero();
        assertThat(rebootEvent(b, true)).as("another instance is another key").isEqualTo(1);
        clock.advance(Duration.ofDays(1));
        assertThat(rebootEvent(a, false)).as("condition changed").isEqualTo(1);
        clock.advance(Duration.ofDays(1));
        assertThat(rebootEvent(a, false)).as("same again").isZero();
        clock.advance(Duration.ofDays(6).minusMinutes(1));
        assertThat(rebootEvent(a, false)).as("just before RemindAfter").isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(rebootEvent(a, false))
                .as("RemindAfter passed since the last one sent")
                .isEqualTo(1);
        assertThat(rebootEvent(a, false))
                .as("and quiet again after the reminder")
                .isZero();
        notify.publish(topic, "not JSON: no key, so not deduplicated");
        notify.publish(topic, "not JSON: no key, so not deduplicated");
        await().atMost(WAIT).until(() -> notify.outboxSize() == 0);
        assertThat(receiver.to("/reboots")).hasSize(6);
    }

    @Test
    void snsTopicDeliveriesFromRulesFanOutOnceAndUnknownTopicsAreDeadLettered() throws Exception {
        notify.subscribe(topic, "slack", receiver.url("/rule"), Map.of());
        String event = NotifyFixture.complianceEvent("mi-0123456789abcdef0", "NON_COMPLIANT", "CRITICAL");
        String rule = "arn:aws:events:us-east-1:123456789012:rule/noncompliant";
        notify.server.database().jdbi().useTransaction(h -> notify.server
                .deliveries()
                .outbox()
                .enqueue(h, new Delivery("sns-topic", topic, event, Map.of(), rule, RetryPolicy.DEFAULT)));
        await().atMost(WAIT).until(() -> receiver.to("/rule").size() == 1 && notify.outboxSize() == 0);
        assertThat(receiver.to("/rule").getFirst().body()).contains("Patch compliance NON_COMPLIANT");

        // A retried sns-topic delivery (a crash after the fan-out committed) does not fan out again.
        TopicDeliverer deliverer = new TopicDeliverer(
                notify.server.database().jdbi(),
                new FanOut(notify.server.deliveries().outbox(), clock),
                clock);
        PendingDelivery retried = new PendingDelivery(
                424242,
                2,
                clock.instant(),
                new Delivery("sns-topic", topic, event, Map.of(), rule, RetryPolicy.DEFAULT));
        deliverer.deliver(retried);
        deliverer.deliver(retried);
        await().atMost(WAIT).until(() -> notify.outboxSize() == 0);
        assertThat(receiver.to("/rule")).hasSize(2);

        String missing = "arn:aws:sns:us-east-1:123456789012:no-such-topic";
        notify.server.database().jdbi().useTransaction(h -> notify.server
                .deliveries()
                .outbox()
                .enqueue(h, new Delivery("sns-topic", missing, event, Map.of(), rule, RetryPolicy.DEFAULT)));
        await().atMost(WAIT).until(() -> notify.outboxSize() == 0);
        JsonNode dead = notify.admin.call("Patchtide.ListDeadLetters", Map.of()).path("DeadLetters");
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.path("DestinationKind").asText()).isEqualTo("sns-topic");
            assertThat(d.path("Destination").asText()).isEqualTo(missing);
            assertThat(d.path("Reason").asText()).isEqualTo("topic " + missing + " does not exist");
        });
    }

    /** Publishes a reboot-pending event and says how many deliveries it caused (0 or 1). */
    private int rebootEvent(String instanceId, boolean pending) throws Exception {
        int before = receiver.to("/reboots").size();
        notify.publish(
                topic,
                """
                {"version":"0","id":"1","detail-type":"Reboot Pending","source":"patchtide.fleet","account":"123456789012",\
                "time":"2026-11-23T10:00:00Z","region":"us-east-1","resources":[],\
                "detail":{"resource-id":"%s","reboot-pending":%s}}"""
                        .formatted(instanceId, pending));
        await().atMost(WAIT).until(() -> notify.outboxSize() == 0);
        return receiver.to("/reboots").size() - before;
    }

    private void publish(String message, Map<String, Map<String, String>> attributes) throws Exception {
        notify.call("Publish", Map.of("TopicArn", topic, "Message", message, "MessageAttributes", attributes));
    }

    private List<String> texts(String path) throws Exception {
        List<String> texts = new java.util.ArrayList<>();
        for (Receiver.Request r : receiver.to(path)) {
            JsonNode body = NotifyFixture.JSON.readTree(r.body());
            texts.add(
                    body.path("blocks").size() > 1
                            ? body.path("blocks")
                                    .get(1)
                                    .path("text")
                                    .path("text")
                                    .asText()
                            : body.path("text").asText());
        }
        return texts.stream()
                .map(t -> t.startsWith("aws.ssm") ? "Patch compliance NON_COMPLIANT " + t : t)
                .toList();
    }

    private static Map<String, String> string(String value) {
        return Map.of("DataType", "String", "StringValue", value);
    }

    private static Map<String, String> number(String value) {
        return Map.of("DataType", "Number", "StringValue", value);
    }

    private static Map<String, String> stringArray(String value) {
        return Map.of("DataType", "String.Array", "StringValue", value);
    }
}
