package dev.patchtide.server.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.delivery.Delivery;
import dev.patchtide.server.delivery.RetryPolicy;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.ConnectionAuthorizationType;
import software.amazon.awssdk.services.eventbridge.model.CreateConnectionRequest;

/** Deliveries of kind api-destination, to a real HTTP receiver on loopback. */
class ApiDestinationDeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVENT =
            "{\"version\":\"0\",\"detail-type\":\"Configuration Compliance State Change\",\"source\":\"aws.ssm\","
                    + "\"detail\":{\"resource-id\":\"mi-0123456789abcdef0\",\"compliance-status\":\"non_compliant\"}}";

    private final MutableClock clock = MutableClock.ofNow();
    private TestServer server;
    private EventBridgeClient events;
    private LoopbackReceiver receiver;

    @BeforeEach
    void start() {
        server = TestServer.start(clock);
        events = EventsClients.of(server);
        receiver = LoopbackReceiver.start();
    }

    @AfterEach
    void stop() {
        receiver.close();
        events.close();
        server.close();
    }

    @Test
    void apiKeyCallCarriesConnectionAndTargetParametersWithTheConnectionWinning() throws Exception {
        String destination = destination(
                b -> b.authorizationType(ConnectionAuthorizationType.API_KEY)
                        .authParameters(a -> a.apiKeyAuthParameters(
                                        p -> p.apiKeyName("X-Api-Key").apiKeyValue("k-123"))
                                .invocationHttpParameters(ConnectionApiTest.invocationParameters())),
                "/hooks/*/events/*",
                "POST");
        long id = enqueue(
                destination,
                Map.of(
                        "HttpParameters",
                        "{\"PathParameterValues\":[\"team a\",\"42\"],"
                                + "\"HeaderParameters\":{\"X-Target\":\"t\",\"X-Team\":\"target-loses\"},"
                                + "\"QueryStringParameters\":{\"q\":\"1 2\",\"source\":\"target-loses\"}}"),
                RetryPolicy.DEFAULT);

        LoopbackReceiver.Request call = awaitRequests(1).getFirst();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/hooks/team%20a/events/42");
        assertThat(call.query()).isEqualTo("q=1+2&source=patchtide");
        assertThat(call.header("X-Api-Key")).isEqualTo("k-123");
        assertThat(call.header("X-Team")).isEqualTo("platform");
        assertThat(call.header("X-Signing")).isEqualTo("hidden-header-value");
        assertThat(call.header("X-Target")).isEqualTo("t");
        assertThat(call.header("X-Patchtide-Delivery-Id")).isEqualTo(Long.toString(id));
        assertThat(call.header("Content-Type")).startsWith("application/json");
        assertThat(call.header("Authorization")).isNull();
        JsonNode body = JSON.readTree(call.body());
        assertThat(body.path("detail-type").asText()).isEqualTo("Configuration Compliance State Change");
        assertThat(body.path("source").asText()).isEqualTo("aws.ssm");
        assertThat(body.path("detail").path("resource-id").asText()).isEqualTo("mi-0123456789abcdef0");
        assertThat(body.path("channel").asText()).isEqualTo("#ops");
        await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
        assertThat(deadLetters()).isZero();
    }

    @Test
    void basicAuthGetCarriesNoBody() {
        String destination = destination(
                b -> b.authorizationType(ConnectionAuthorizationType.BASIC)
                        .authParameters(a ->
                                a.basicAuthParameters(p -> p.username("alice").password("pä ss"))),
                "/status",
                "GET");
        enqueue(destination, Map.of(), RetryPolicy.DEFAULT);

        LoopbackReceiver.Request call = awaitRequests(1).getFirst();
        assertThat(call.method()).isEqualTo("GET");
        assertThat(call.path()).isEqualTo("/status");
        assertThat(call.query()).isNull();
        assertThat(call.body()).isEmpty();
        assertThat(call.header("Authorization"))
                .isEqualTo(
                        "Basic " + Base64.getEncoder().encodeToString("alice:pä ss".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void noneConnectionSendsNoCredentials() {
        String destination = destination(b -> b.authorizationType("NONE").authParameters(a -> {}), "/open", "PUT");
        enqueue(destination, Map.of(), RetryPolicy.DEFAULT);
        LoopbackReceiver.Request call = awaitRequests(1).getFirst();
        assertThat(call.method()).isEqualTo("PUT");
        assertThat(call.body()).isEqualTo(EVENT);
        assertThat(call.headers()).doesNotContainKeys("authorization", "x-api-key");
    }

    @Test
    void serverErrorIsRetriedWithBackoffThenDelivered() {
        String destination = destination(b -> b.authorizationType("NONE").authParameters(a -> {}), "/flaky", "POST");
        receiver.answer(500);
        long id = enqueue(destination, Map.of(), RetryPolicy.DEFAULT);

        awaitRequests(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> lastError(id).contains("HTTP 500"));
        server.deliveries().wake();
        assertThat(receiver.received()).hasSize(1);
        clock.advance(Duration.ofMinutes(6));
        server.deliveries().wake();
        List<LoopbackReceiver.Request> calls = awaitRequests(2);
        assertThat(calls).extracting(c -> c.header("X-Patchtide-Delivery-Id")).containsOnly(Long.toString(id));
        await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
        assertThat(deadLetters()).isZero();
    }

    @Test
    void clientErrorIsDeadLetteredAtOnce() throws Exception {
        String destination = destination(b -> b.authorizationType("NONE").authParameters(a -> {}), "/strict", "POST");
        receiver.answer(400);
        enqueue(destination, Map.of(), RetryPolicy.DEFAULT);
        await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters() == 1);
        assertThat(receiver.received()).hasSize(1);
        JsonNode letter = server.adminClient()
                .call("Patchtide.ListDeadLetters", Map.of())
                .path("DeadLetters")
                .get(0);
        assertThat(letter.path("Reason").asText()).isEqualTo("HTTP 400 from " + receiver.url("/strict"));
        assertThat(letter.path("Attempts").asInt()).isEqualTo(1);
        assertThat(letter.path("Payload").asText()).isEqualTo(EVENT);
    }

    @Test
    void receiverDownForLongEndsInDeadLettersAndRedriveDeliversIt() throws Exception {
        receiver.close();
        String destination = destination(b -> b.authorizationType("NONE").authParameters(a -> {}), "/later", "POST");
        long id = enqueue(destination, Map.of(), new RetryPolicy(2, Duration.ofHours(1)));
        for (int attempt = 1; attempt <= 3; attempt++) {
            int expected = attempt;
            await().atMost(Duration.ofSeconds(10)).until(() -> attempts(id) >= expected || deadLetters() == 1);
            clock.advance(Duration.ofMinutes(6));
            server.deliveries().wake();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters() == 1);
        JsonNode letter = server.adminClient()
                .call("Patchtide.ListDeadLetters", Map.of())
                .path("DeadLetters")
                .get(0);
        assertThat(letter.path("DeliveryId").asLong()).isEqualTo(id);
        assertThat(letter.path("Attempts").asInt()).isEqualTo(3);
        assertThat(letter.path("Reason").asText())
                .startsWith("maximum retry attempts reached")
                .contains("POST " + receiver.url("/later") + " failed");

        receiver.up();
        server.adminClient().call("Patchtide.RedriveDeadLetters", Map.of("DeliveryIds", List.of(id)));
        LoopbackReceiver.Request call = awaitRequests(1).getFirst();
        assertThat(call.path()).isEqualTo("/later");
        assertThat(call.body()).isEqualTo(EVENT);
        await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
        assertThat(deadLetters()).isZero();
    }

    @Test
    void deauthorizedConnectionDeadLettersWithTheReason() {
        String destination = destination(
                b -> b.authorizationType(ConnectionAuthorizationType.API_KEY)
                        .authParameters(a -> a.apiKeyAuthParameters(
                                p -> p.apiKeyName("X-Key").apiKeyValue("v"))),
                "/x",
                "POST");
        events.deauthorizeConnection(b -> b.name("conn"));
        enqueue(destination, Map.of(), RetryPolicy.DEFAULT);
        await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters() == 1);
        assertThat(receiver.received()).isEmpty();
        assertThat(deadLetterReason()).contains("connection conn is DEAUTHORIZED");
    }

    @Test
    void missingDestinationAndBadPathParametersAreDeadLettered() {
        enqueue("arn:aws:events:us-east-1:123456789012:api-destination/none/0000", Map.of(), RetryPolicy.DEFAULT);
        await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters() == 1);
        assertThat(deadLetterReason()).contains("does not exist");

        String destination = destination(b -> b.authorizationType("NONE").authParameters(a -> {}), "/a/*/b/*", "POST");
        enqueue(destination, Map.of("HttpParameters", "{\"PathParameterValues\":[\"only-one\"]}"), RetryPolicy.DEFAULT);
        await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters() == 2);
        assertThat(receiver.received()).isEmpty();
    }

    @Test
    void rateLimitSpacesCalls() {
        String arn = events.createConnection(
                        b -> b.name("conn").authorizationType("NONE").authParameters(a -> {}))
                .connectionArn();
        String destination = events.createApiDestination(b -> b.name("slow")
                        .connectionArn(arn)
                        .invocationEndpoint(receiver.url("/slow"))
                        .httpMethod("POST")
                        .invocationRateLimitPerSecond(1))
                .apiDestinationArn();
        java.util.Queue<Long> arrivals = new java.util.concurrent.ConcurrentLinkedQueue<>();
        receiver.otherwise(r -> {
            arrivals.add(System.nanoTime());
            return new LoopbackReceiver.Answer(200, "{}");
        });
        server.database().jdbi().useTransaction(h -> {
            for (int i = 0; i < 2; i++) {
                server.deliveries()
                        .outbox()
                        .enqueue(
                                h,
                                new Delivery("api-destination", destination, EVENT, Map.of(), "", RetryPolicy.DEFAULT));
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> arrivals.size() == 2);
        List<Long> times = List.copyOf(arrivals);
        // One per second: the second call leaves a second after the first (arrival adds some jitter).
        assertThat(Duration.ofNanos(Math.abs(times.get(1) - times.get(0)))).isGreaterThan(Duration.ofMillis(700));
    }

    private String destination(Consumer<CreateConnectionRequest.Builder> connection, String path, String method) {
        String arn = events.createConnection(b -> {
                    b.name("conn");
                    connection.accept(b);
                })
                .connectionArn();
        return events.createApiDestination(b -> b.name("dest")
                        .connectionArn(arn)
                        .invocationEndpoint(receiver.url(path))
                        .httpMethod(method))
                .apiDestinationArn();
    }

    long enqueue(String destination, Map<String, String> attributes, RetryPolicy policy) {
        return server.database().jdbi().inTransaction(h -> server.deliveries()
                .outbox()
                .enqueue(
                        h,
                        new Delivery(
                                "api-destination",
                                destination,
                                EVENT,
                                attributes,
                                "arn:aws:events:us-east-1:123456789012:rule/test",
                                policy)));
    }

    private List<LoopbackReceiver.Request> awaitRequests(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() >= count);
        return receiver.received();
    }

    private long outboxSize() {
        return server.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM outbox")
                .mapTo(Long.class)
                .one());
    }

    private long deadLetters() {
        return server.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM dead_letters")
                .mapTo(Long.class)
                .one());
    }

    private String deadLetterReason() {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT reason FROM dead_letters ORDER BY delivery_id DESC LIMIT 1")
                .mapTo(String.class)
                .one());
    }

    private int attempts(long id) {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT coalesce(max(attempts), 0) FROM outbox WHERE delivery_id = :id"
                                + " AND leased_until IS NULL")
                .bind("id", id)
                .mapTo(Integer.class)
                .one());
    }

    private String lastError(long id) {
        return server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT coalesce(max(last_error), '') FROM outbox WHERE delivery_id = :id")
                .bind("id", id)
                .mapTo(String.class)
                .one());
    }
}
