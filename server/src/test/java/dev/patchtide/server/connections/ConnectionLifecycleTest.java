package dev.patchtide.server.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.lifecycle.Lifecycle;
import dev.patchtide.server.secrets.ServerKey;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestDatabases;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.ConnectionAuthorizationType;
import software.amazon.awssdk.services.eventbridge.model.ConnectionState;

/**
 * Every transition of {@link dev.patchtide.server.connections.ConnectionState#LIFECYCLE}, taken through the
 * API and the background authorizer of real servers, including one that finishes what a stopped server left
 * AUTHORIZING; fails if a scenario that takes one of them is removed.
 */
@SuppressWarnings("unchecked") // the SDK's parameter builders take Consumer<Builder>... varargs
class ConnectionLifecycleTest {
    private static Lifecycle.Recording<dev.patchtide.server.connections.ConnectionState> taken;

    private final MutableClock clock = MutableClock.ofNow();
    private final ServerKey key = ServerKey.ephemeral();
    private final DatabaseSettings settings = TestDatabases.fresh();
    /** Plays the authorization server: /token issues tokens, /refuse refuses the client. */
    private final LoopbackReceiver tokens = LoopbackReceiver.down()
            .otherwise(r -> r.path().equals("/token")
                    ? new LoopbackReceiver.Answer(200, "{\"access_token\":\"tok\",\"expires_in\":3600}")
                    : new LoopbackReceiver.Answer(401, "{\"error\":\"invalid_client\"}"));

    private Node node;

    @BeforeAll
    static void record() {
        taken = dev.patchtide.server.connections.ConnectionState.LIFECYCLE.record();
    }

    @AfterAll
    static void everyTransitionWasTaken() {
        taken.close();
        assertThat(taken.missing())
                .as("connection transitions no scenario took")
                .isEmpty();
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        tokens.close();
    }

    @Test
    void basicConnectionIsDeauthorizedAuthorizedAgainAndDeleted() {
        node = new Node();
        var events = node.events;
        assertThat(createBasic("hook").connectionState()).isEqualTo(ConnectionState.AUTHORIZED);
        assertThat(events.deauthorizeConnection(b -> b.name("hook")).connectionState())
                .isEqualTo(ConnectionState.DEAUTHORIZED);
        assertThat(events.updateConnection(
                                b -> b.name("hook").authParameters(a -> a.basicAuthParameters(p -> p.password("new"))))
                        .connectionState())
                .isEqualTo(ConnectionState.AUTHORIZED);
        assertThat(events.deleteConnection(b -> b.name("hook")).connectionState())
                .isEqualTo(ConnectionState.DELETING);

        createBasic("revoked");
        events.deauthorizeConnection(b -> b.name("revoked"));
        assertThat(events.deleteConnection(b -> b.name("revoked")).connectionState())
                .isEqualTo(ConnectionState.DELETING);
    }

    @Test
    void oauthConnectionsAreAuthorizedOrDeauthorizedInTheBackground() {
        tokens.up();
        node = new Node();
        var events = node.events;
        assertThat(createOAuth("good", "/token").connectionState()).isEqualTo(ConnectionState.AUTHORIZING);
        awaitState("good", ConnectionState.AUTHORIZED);

        createOAuth("refused", "/refuse");
        awaitState("refused", ConnectionState.DEAUTHORIZED);
        assertThat(events.describeConnection(b -> b.name("refused")).stateReason())
                .isEqualTo("OAuth token endpoint refused the client: HTTP 401");
        // New credentials: authorizing again, in the background.
        clock.advance(Duration.ofSeconds(1));
        assertThat(events.updateConnection(b -> b.name("refused")
                                .authParameters(
                                        a -> a.oAuthParameters(o -> o.authorizationEndpoint(tokens.url("/token"))
                                                .clientParameters(c -> c.clientSecret("right")))))
                        .connectionState())
                .isEqualTo(ConnectionState.AUTHORIZING);
        awaitState("refused", ConnectionState.AUTHORIZED);

        // Switched to OAuth while its token endpoint is down: AUTHORIZING until deleted.
        createBasic("switched");
        tokens.close();
        assertThat(events.updateConnection(b -> b.name("switched")
                                .authorizationType(ConnectionAuthorizationType.OAUTH_CLIENT_CREDENTIALS)
                                .authParameters(
                                        a -> a.oAuthParameters(o -> o.authorizationEndpoint(tokens.url("/token"))
                                                .httpMethod("POST")
                                                .clientParameters(c ->
                                                        c.clientID("client").clientSecret("secret")))))
                        .connectionState())
                .isEqualTo(ConnectionState.AUTHORIZING);
        assertThat(events.deleteConnection(b -> b.name("switched")).connectionState())
                .isEqualTo(ConnectionState.DELETING);
    }

    @Test
    void connectionsLeftAuthorizingByAStoppedServerAreFinishedByTheNextOne() {
        // The token endpoint is down while the first server runs: both connections stay AUTHORIZING.
        node = new Node();
        createOAuth("good", "/token");
        createOAuth("refused", "/refuse");
        node.close();
        node = null;
        assertThat(storedState("good")).isEqualTo("AUTHORIZING");
        assertThat(storedState("refused")).isEqualTo("AUTHORIZING");

        tokens.up();
        node = new Node();
        // Past the lease or retry time the first server may have set.
        clock.advance(ConnectionAuthorizer.LEASE.plus(ConnectionAuthorizer.RETRY));
        awaitState("good", ConnectionState.AUTHORIZED);
        awaitState("refused", ConnectionState.DEAUTHORIZED);
        assertThat(node.events.describeConnection(b -> b.name("good")).lastAuthorizedTime())
                .isNotNull();
    }

    private software.amazon.awssdk.services.eventbridge.model.CreateConnectionResponse createBasic(String name) {
        return node.events.createConnection(b -> b.name(name)
                .authorizationType(ConnectionAuthorizationType.BASIC)
                .authParameters(
                        a -> a.basicAuthParameters(p -> p.username("alice").password("old"))));
    }

    private software.amazon.awssdk.services.eventbridge.model.CreateConnectionResponse createOAuth(
            String name, String path) {
        return node.events.createConnection(b -> b.name(name)
                .authorizationType(ConnectionAuthorizationType.OAUTH_CLIENT_CREDENTIALS)
                .authParameters(a -> a.oAuthParameters(o -> o.authorizationEndpoint(tokens.url(path))
                        .httpMethod("POST")
                        .clientParameters(c -> c.clientID("client").clientSecret("secret")))));
    }

    private void awaitState(String name, ConnectionState state) {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> node.events.describeConnection(b -> b.name(name)).connectionState() == state);
    }

    private String storedState(String name) {
        try (Database database = Database.connect(settings)) {
            return database.jdbi().withHandle(h -> h.createQuery("SELECT state FROM event_connections WHERE name = :n")
                    .bind("n", name)
                    .mapTo(String.class)
                    .one());
        }
    }

    /** A server node on the test's database, key and clock, with an EventBridge client. */
    private final class Node implements AutoCloseable {
        final Database database = Database.connect(settings);
        final PatchtideServer server = PatchtideServer.start(
                new ServerConfig("127.0.0.1", 0, "us-east-1", ServerConfig.DEFAULT_ACCOUNT, PingStatusPolicy.defaults())
                        .withSecretKey(key),
                database,
                clock);
        final EventBridgeClient events;

        Node() {
            var admin = server.accessKeys().createAdminKey("test", clock.instant());
            events = EventBridgeClient.builder()
                    .endpointOverride(URI.create("http://127.0.0.1:" + server.port()))
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))
                    .build();
        }

        @Override
        public void close() {
            events.close();
            server.close();
            database.close();
        }
    }
}
