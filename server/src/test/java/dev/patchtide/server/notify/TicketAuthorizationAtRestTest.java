package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.testing.MutableClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A ticket subscription's Authorization header is stored sealed, never shown, and still sent. */
class TicketAuthorizationAtRestTest {
    private static final String FIRST = "Basic Zmlyc3Qtc2VjcmV0LXZhbHVl";
    private static final String SECOND = "Bearer second-secret-token-4711";

    private final NotifyFixture notify = new NotifyFixture(MutableClock.ofNow());
    private final Receiver receiver = receiver();

    @AfterEach
    void stop() {
        receiver.close();
        notify.close();
    }

    @Test
    void theSubscriptionTableHoldsNoAuthorizationValue() throws Exception {
        String topic = notify.createTopic("tickets");
        String arn = notify.subscribe(
                topic,
                "ticket",
                receiver.url("/issue"),
                Map.of("TicketTemplate", TicketTemplate.jiraExample("OPS"), "TicketAuthorization", FIRST));
        assertThat(dump()).doesNotContain(FIRST).contains("v1:").contains("OPS");

        // Subscribing again with the same attributes is still recognised as the same subscription.
        assertThat(notify.subscribe(
                        topic,
                        "ticket",
                        receiver.url("/issue"),
                        Map.of("TicketTemplate", TicketTemplate.jiraExample("OPS"), "TicketAuthorization", FIRST)))
                .isEqualTo(arn);

        notify.call(
                "SetSubscriptionAttributes",
                Map.of("SubscriptionArn", arn, "AttributeName", "TicketAuthorization", "AttributeValue", SECOND));
        assertThat(dump()).doesNotContain(FIRST).doesNotContain(SECOND).contains("v1:");
        assertThat(notify.call("GetSubscriptionAttributes", Map.of("SubscriptionArn", arn))
                        .path("Attributes")
                        .path("TicketAuthorization")
                        .asText())
                .isEqualTo("****");

        notify.publish(topic, "disk full on web-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.to("/issue").size() == 1);
        assertThat(receiver.to("/issue").getFirst().header("authorization")).isEqualTo(SECOND);
        assertThat(dump()).doesNotContain(SECOND);
    }

    /** Every row of every table that could hold a subscription's attributes, as text. */
    private String dump() {
        return notify.server.database().jdbi().withHandle(h -> h.createQuery("SELECT concat_ws('\n',"
                        + " (SELECT string_agg(t::text, '\n') FROM sns_subscriptions t),"
                        + " (SELECT string_agg(t::text, '\n') FROM outbox t))")
                .mapTo(String.class)
                .one());
    }

    private static Receiver receiver() {
        try {
            return new Receiver();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
