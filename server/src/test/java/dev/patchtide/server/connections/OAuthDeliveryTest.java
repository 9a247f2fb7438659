package dev.patchtide.server.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.delivery.Delivery;
import dev.patchtide.server.delivery.RetryPolicy;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.ConnectionAuthorizationType;
import software.amazon.awssdk.services.eventbridge.model.ConnectionState;

/** OAuth client credentials against a token endpoint and an API on loopback. */
@SuppressWarnings("unchecked") // the SDK's parameter builders take Consumer<Builder>... varargs
class OAuthDeliveryTest {
    private final MutableClock clock = MutableClock.ofNow();
    private TestServer server;
    private EventBridgeClient events;
    private LoopbackReceiver receiver;
    private final AtomicInteger issued = new AtomicInteger();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() {
        server = TestServer.start(clock);
        events = EventsClients.of(server);
        // One loopback server plays both the authorization server (/token) and the API (/api).
        receiver = LoopbackReceiver.start().otherwise(request -> {
            if (request.path().equals("/token")) {
                return new LoopbackReceiver.Answer(
                        200,
                        "{\"access_token\":\"tok-" + issued.incrementAndGet() + "\",\"token_type\":\"Bearer\","
                                + "\"expires_in\":3600}");
            }
            String bearer = request.header("Authorization");
            return new LoopbackReceiver.Answer(revoked.contains(bearer) ? 401 : 200, "{}");
        });
    }

    @AfterEach
    void stop() {
        receiver.close();
        events.close();
        server.close();
    }

    @Test
    void tokenIsFetchedOnceCachedRefreshedAfter401AndBeforeExpiry() {
        String connection = events.createConnection(b -> b.name("oauth")
                        .authorizationType(ConnectionAuthorizationType.OAUTH_CLIENT_CREDENTIALS)
                        .authParameters(a -> a.oAuthParameters(o -> o.authorizationEndpoint(receiver.url("/token"))
                                .httpMethod("POST")
                                .clientParameters(c -> c.clientID("client-1").clientSecret("oauth-secret"))
                                .oAuthHttpParameters(p -> p.bodyParameters(
                                                x -> x.key("scope").value("events write"))
                                        .headerParameters(h -> h.key("X-Tenant").value("acme"))
                                        .queryStringParameters(
                                                q -> q.key("audience").value("api"))))))
                .connectionArn();
        // Authorized in the background right after creation, as EventBridge does.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> events.describeConnection(b -> b.name("oauth")).connectionState()
                        == ConnectionState.AUTHORIZED);
        assertThat(events.describeConnection(b -> b.name("oauth")).lastAuthorizedTime())
                .isNotNull();
        LoopbackReceiver.Request tokenCall = receiver.received().getFirst();
        assertThat(tokenCall.method()).isEqualTo("POST");
        assertThat(tokenCall.path()).isEqualTo("/token");
        assertThat(tokenCall.query()).isEqualTo("audience=api");
        assertThat(tokenCall.header("Authorization"))
                .isEqualTo("Basic "
                        + Base64.getEncoder().encodeToString("client-1:oauth-secret".getBytes(StandardCharsets.UTF_8)));
        assertThat(tokenCall.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(tokenCall.header("X-Tenant")).isEqualTo("acme");
        assertThat(tokenCall.body()).isEqualTo("grant_type=client_credentials&scope=events+write");

        String destination = events.createApiDestination(b -> b.name("api")
                        .connectionArn(connection)
                        .invocationEndpoint(receiver.url("/api"))
                        .httpMethod("POST"))
                .apiDestinationArn();
        enqueue(destination);
        enqueue(destination);
        await().atMost(Duration.ofSeconds(10)).until(() -> apiCalls().size() == 2);
        assertThat(apiCalls()).extracting(r -> r.header("Authorization")).containsOnly("Bearer tok-1");
        assertThat(issued.get()).isEqualTo(1);

        // The API stops accepting the token: one refresh, and the same attempt succeeds.
        revoked.add("Bearer tok-1");
        long id = enqueue(destination);
        await().atMost(Duration.ofSeconds(10)).until(() -> apiCalls().size() == 4);
        List<LoopbackReceiver.Request> last = apiCalls().subList(2, 4);
        assertThat(last).extracting(r -> r.header("Authorization")).containsExactly("Bearer tok-1", "Bearer tok-2");
        assertThat(last).extracting(r -> r.header("X-Patchtide-Delivery-Id")).containsOnly(Long.toString(id));
        assertThat(issued.get()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);

        // Close to its expiry a token is replaced before use.
        clock.advance(Duration.ofMinutes(59).plusSeconds(45));
        enqueue(destination);
        await().atMost(Duration.ofSeconds(10)).until(() -> apiCalls().size() == 5);
        assertThat(apiCalls().getLast().header("Authorization")).isEqualTo("Bearer tok-3");
        assertThat(deadLetters()).isZero();
    }

    @Test
    void refusedClientDeauthorizesTheConnectionAndDeadLetters() {
        receiver.answer(new LoopbackReceiver.Answer(401, "{\"error\":\"invalid_client\"}"));
        String connection = events.createConnection(b -> b.name("oauth")
                        .authorizationType(ConnectionAuthorizationType.OAUTH_CLIENT_CREDENTIALS)
                        .authParameters(a -> a.oAuthParameters(o -> o.authorizationEndpoint(receiver.url("/token"))
                                .httpMethod("POST")
                                .clientParameters(c -> c.clientID("client-1").clientSecret("wrong")))))
                .connectionArn();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> events.describeConnection(b -> b.name("oauth")).connectionState()
                        == ConnectionState.DEAUTHORIZED);
        assertThat(events.describeConnection(b -> b.name("oauth")).stateReason())
                .isEqualTo("OAuth token endpoint refused the client: HTTP 401");
        String destination = events.createApiDestination(b -> b.name("api")
                        .connectionArn(connection)
                        .invocationEndpoint(receiver.url("/api"))
                        .httpMethod("POST"))
                .apiDestinationArn();
        enqueue(destination);
        await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters() == 1);
        assertThat(apiCalls()).isEmpty();

        // New credentials authorize it again.
        events.updateConnection(b -> b.name("oauth")
                .authParameters(a -> a.oAuthParameters(o -> o.clientParameters(c -> c.clientSecret("right")))));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> events.describeConnection(b -> b.name("oauth")).connectionState()
                        == ConnectionState.AUTHORIZED);
        assertThat(receiver.received().getLast().header("Authorization"))
                .isEqualTo("Basic "
                        + Base64.getEncoder().encodeToString("client-1:right".getBytes(StandardCharsets.UTF_8)));
    }

    private List<LoopbackReceiver.Request> apiCalls() {
        return receiver.received().stream().filter(r -> r.path().equals("/api")).toList();
    }

    private long enqueue(String destination) {
        return server.database().jdbi().inTransaction(h -> server.deliveries()
                .outbox()
                .enqueue(h, new Delivery("api-destination", destination, "{}", Map.of(), "", RetryPolicy.DEFAULT)));
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
}
