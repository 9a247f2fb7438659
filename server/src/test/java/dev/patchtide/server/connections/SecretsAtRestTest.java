package dev.patchtide.server.connections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.secrets.SecretBox;
import dev.patchtide.server.secrets.ServerKey;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestDatabases;
import dev.patchtide.server.testing.TestServer;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.ConnectionAuthorizationType;

@SuppressWarnings("unchecked") // the SDK's parameter builders take Consumer<Builder>... varargs
class SecretsAtRestTest {
    private static final List<String> SECRETS =
            List.of("basic-password-4711", "api-key-value-0815", "oauth-client-secret-42", "secret-header-value-9");

    @Test
    void theDatabaseHoldsNoPlaintextSecretAndAnotherKeyIsRefusedClearly() {
        MutableClock clock = MutableClock.ofNow();
        ServerKey key = ServerKey.ephemeral();
        ServerConfig config = new ServerConfig(
                        "127.0.0.1", 0, TestServer.REGION, ServerConfig.DEFAULT_ACCOUNT, PingStatusPolicy.defaults())
                .withSecretKey(key);
        try (Database database = Database.connect(TestDatabases.fresh())) {
            try (PatchtideServer server = PatchtideServer.start(config, database, clock);
                    EventBridgeClient events = client(server, clock)) {
                events.createConnection(b -> b.name("basic")
                        .authorizationType(ConnectionAuthorizationType.BASIC)
                        .authParameters(a -> a.basicAuthParameters(
                                        p -> p.username("alice").password(SECRETS.get(0)))
                                .invocationHttpParameters(h -> h.headerParameters(x ->
                                        x.key("X-Sig").value(SECRETS.get(3)).isValueSecret(true)))));
                events.createConnection(b -> b.name("key")
                        .authorizationType(ConnectionAuthorizationType.API_KEY)
                        .authParameters(a -> a.apiKeyAuthParameters(
                                p -> p.apiKeyName("X-Key").apiKeyValue(SECRETS.get(1)))));
                events.createConnection(b -> b.name("oauth")
                        .authorizationType(ConnectionAuthorizationType.OAUTH_CLIENT_CREDENTIALS)
                        .authParameters(a -> a.oAuthParameters(o -> o.authorizationEndpoint("https://127.0.0.1:1/t")
                                .httpMethod("POST")
                                .clientParameters(c -> c.clientID("id").clientSecret(SECRETS.get(2))))));
            }

            String everything = database.jdbi()
                    .withHandle(h -> h.createQuery("SELECT string_agg(t::text, '\n') FROM event_connections t")
                            .mapTo(String.class)
                            .one());
            assertThat(everything).contains("alice").contains("X-Key").contains("v1:" + key.id() + ":");
            for (String secret : SECRETS) {
                assertThat(everything)
                        .doesNotContain(secret)
                        .doesNotContain(Base64.getEncoder().encodeToString(secret.getBytes()));
            }

            ServerConfig otherKey = config.withSecretKey(ServerKey.ephemeral());
            assertThatThrownBy(() ->
                            PatchtideServer.start(otherKey, database, clock).close())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("encrypted with server key " + key.id())
                    .hasMessageContaining("--secret-key-file");

            // With its own key the server starts and the secrets still work.
            try (PatchtideServer again = PatchtideServer.start(config, database, clock);
                    EventBridgeClient events = client(again, clock)) {
                assertThat(events.describeConnection(b -> b.name("basic"))
                                .authParameters()
                                .basicAuthParameters()
                                .username())
                        .isEqualTo("alice");
            }
        }
    }

    @Test
    void secretBoxRefusesAnotherKeyAlteredTextAndAnotherRow() {
        SecretBox box = new SecretBox(ServerKey.ephemeral());
        // Long enough that random ciphertext cannot contain it by chance (a two-letter secret sometimes did).
        String secret = "correct-horse-battery-staple";
        String sealed = box.seal(secret, "arn:one");
        assertThat(sealed)
                .doesNotContain(secret)
                .doesNotContain(java.util.Base64.getEncoder()
                        .encodeToString(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .substring(0, 16));
        assertThat(box.open(sealed, "arn:one")).isEqualTo(secret);
        assertThat(box.seal(secret, "arn:one")).isNotEqualTo(sealed);

        assertThatThrownBy(() -> new SecretBox(ServerKey.ephemeral()).open(sealed, "arn:one"))
                .isInstanceOf(SecretBox.WrongKeyException.class)
                .hasMessageContaining("start it with the original secret-key-file");
        assertThatThrownBy(() -> box.open(sealed, "arn:two"))
                .isInstanceOf(SecretBox.WrongKeyException.class)
                .hasMessageContaining("integrity");
        String[] parts = sealed.split(":");
        byte[] data = Base64.getDecoder().decode(parts[2]);
        data[data.length - 1] ^= 1;
        String altered = parts[0] + ":" + parts[1] + ":" + Base64.getEncoder().encodeToString(data);
        assertThatThrownBy(() -> box.open(altered, "arn:one")).isInstanceOf(SecretBox.WrongKeyException.class);
    }

    private static EventBridgeClient client(PatchtideServer server, MutableClock clock) {
        var key = server.accessKeys().createAdminKey("secrets-test", clock.instant());
        return EventBridgeClient.builder()
                .endpointOverride(java.net.URI.create("http://127.0.0.1:" + server.port()))
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey())))
                .build();
    }
}
