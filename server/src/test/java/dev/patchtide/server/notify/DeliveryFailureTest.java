package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.MutableClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Receivers that are down or refuse: retries with the outbox's backoff, then the dead-letter store. */
class DeliveryFailureTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MutableClock clock = MutableClock.ofNow();
    private NotifyFixture notify;
    private Receiver receiver;
    private String topic;

    @BeforeEach
    void start() throws Exception {
        notify = new NotifyFixture(clock);
        receiver = new Receiver();
        topic = notify.createTopic("alerts");
    }

    @AfterEach
    void stop() {
        receiver.close();
        notify.close();
    }

    @Test
    void receiverThatIsDownIsRetriedThenDeadLettered() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String subscription = notify.subscribe(topic, "teams", "http://127.0.0.1:" + closedPort + "/webhook", Map.of());
        notify.publish(topic, "nobody listens");

        // Claimed (attempt 1) before it failed: wait for the failure to be recorded.
        await().atMost(WAIT).until(() -> attempts() == 1 && !lastError().isEmpty());
        assertThat(lastError()).contains("could not reach http://127.0.0.1:" + closedPort);
        clock.advance(Duration.ofMinutes(10));
        notify.server.deliveries().wake();
        await().atMost(WAIT).until(() -> attempts() == 2);
        assertThat(deadLetters()).isEmpty();

        clock.advance(Duration.ofHours(25));
        notify.server.deliveries().wake();
        await().atMost(WAIT).until(() -> deadLetters().size() == 1);
        JsonNode dead = deadLetters().get(0);
        assertThat(dead.path("DestinationKind").asText()).isEqualTo("sns-subscription");
        assertThat(dead.path("Destination").asText()).isEqualTo(subscription);
        assertThat(dead.path("Source").asText()).isEqualTo(topic);
        assertThat(dead.path("Attempts").asInt()).isEqualTo(3);
        assertThat(dead.path("Payload").asText()).isEqualTo("nobody listens");
        assertThat(dead.path("Reason").asText())
                .startsWith("maximum event age reached; last error: could not reach http://127.0.0.1:" + closedPort);
        assertThat(notify.outboxSize()).isZero();
    }

    @Test
    void fiveHundredsAndTooManyRequestsAreRetriedWithTheSameDeliveryId() throws Exception {
        receiver.answer(503, 429);
        notify.subscribe(topic, "slack", receiver.url("/hook"), Map.of());
        notify.publish(topic, "eventually");
        await().atMost(WAIT).until(() -> receiver.requests.size() == 1);
        for (int expected = 2; expected <= 3; expected++) {
            clock.advance(Duration.ofMinutes(10));
            notify.server.deliveries().wake();
            int n = expected;
            await().atMost(WAIT).until(() -> receiver.requests.size() == n);
        }
        await().atMost(WAIT).until(() -> notify.outboxSize() == 0);
        assertThat(receiver.requests)
                .extracting(r -> r.header("X-Patchtide-Delivery-Id"))
                .containsOnly(receiver.requests.get(0).header("X-Patchtide-Delivery-Id"));
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void otherClientErrorsAreDeadLetteredAtOnce() throws Exception {
        receiver.answer(404);
        notify.subscribe(topic, "slack", receiver.url("/gone"), Map.of());
        notify.publish(topic, "to a deleted webhook");
        await().atMost(WAIT).until(() -> deadLetters().size() == 1);
        assertThat(deadLetters().get(0).path("Reason").asText())
                .isEqualTo("http://127.0.0.1:" + receiver.url("").split(":")[2] + " answered HTTP 404: ok");
        assertThat(deadLetters().get(0).path("Attempts").asInt()).isEqualTo(1);
        assertThat(receiver.requests).hasSize(1);
    }

    private int attempts() {
        return notify.server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT coalesce(max(attempts), 0) FROM outbox WHERE destination_kind = 'sns-subscription'")
                .mapTo(Integer.class)
                .one());
    }

    private String lastError() {
        return notify.server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT last_error FROM outbox WHERE destination_kind = 'sns-subscription'")
                .mapTo(String.class)
                .one());
    }

    private java.util.List<JsonNode> deadLetters() throws Exception {
        java.util.List<JsonNode> all = new java.util.ArrayList<>();
        notify.admin
                .call("Patchtide.ListDeadLetters", Map.of())
                .path("DeadLetters")
                .forEach(all::add);
        return all;
    }
}
