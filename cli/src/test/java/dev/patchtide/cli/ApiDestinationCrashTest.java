package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.connections.LoopbackReceiver;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.testing.TestDatabases;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.ConnectionAuthorizationType;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.Target;

/**
 * The crash test: a real {@code patchtide server} process is killed (SIGKILL) between a real event
 * (PutEvents through the SDK, matched by a rule whose target is an API destination) and its delivery to a webhook that is down; restarted on the same database, it delivers the message
 * exactly once when the webhook is back, with its credentials still readable under the same key file.
 */
class ApiDestinationCrashTest {
    private static final Pattern ENDPOINT = Pattern.compile("API at (http://[0-9.]+:\\d+)");
    private static final String DETAIL = "{\"instance-id\":\"mi-0123456789abcdef0\",\"reboot-pending\":true}";

    @Test
    void killedBetweenEventAndDeliveryTheMessageArrivesExactlyOnceAfterRestart(@TempDir Path dir) throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
        DatabaseSettings db = TestDatabases.fresh();
        String dbUrl = db.jdbcUrl() + "?user=" + encode(db.user()) + "&password=" + encode(db.password());
        Path data = dir.resolve("data");
        String[] serverArgs = {
            "server", "--db-url", dbUrl, "--data-dir", data.toString(), "--port", "0", "--insecure-http"
        };

        try (LoopbackReceiver webhook = LoopbackReceiver.down()) {
            long deliveryId;
            String eventId;
            try (CliProcess server = startServer(dir, serverArgs);
                    EventBridgeClient events = client(server, data)) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secret.key"))))
                        .isEqualTo("rw-------");
                String connection = events.createConnection(b -> b.name("webhook")
                                .authorizationType(ConnectionAuthorizationType.API_KEY)
                                .authParameters(a -> a.apiKeyAuthParameters(
                                        p -> p.apiKeyName("X-Api-Key").apiKeyValue("crash-test-key"))))
                        .connectionArn();
                String destination = events.createApiDestination(b -> b.name("webhook")
                                .connectionArn(connection)
                                .invocationEndpoint(webhook.url("/events"))
                                .httpMethod("POST"))
                        .apiDestinationArn();

                // A real event: PutEvents through the API matches a rule whose target is the API destination.
                events.putRule(b -> b.name("to-webhook")
                        .eventPattern("{\"source\":[\"ops.crash-test\"],\"detail\":{\"reboot-pending\":[true]}}"));
                events.putTargets(b -> b.rule("to-webhook")
                        .targets(Target.builder()
                                .id("webhook")
                                .arn(destination)
                                .retryPolicy(r -> r.maximumRetryAttempts(185))
                                .build()));
                var put = events.putEvents(b -> b.entries(PutEventsRequestEntry.builder()
                        .source("ops.crash-test")
                        .detailType("Reboot Pending State Change")
                        .detail(DETAIL)
                        .build()));
                assertThat(put.failedEntryCount()).isZero();
                eventId = put.entries().getFirst().eventId();
                assertThat(outboxRows(db)).isEqualTo(1);
                deliveryId = count(db, "SELECT delivery_id FROM outbox");
                // The webhook refuses connections; once the backoff is seconds long, pull the plug.
                await().atMost(Duration.ofSeconds(30)).until(() -> settledAttempts(db, deliveryId) >= 3);
                server.kill();
                assertThat(server.isAlive()).isFalse();
                assertThat(server.output()).doesNotContain("crash-test-key");
            }
            assertThat(webhook.received()).isEmpty();
            assertThat(outboxRows(db)).isEqualTo(1);

            webhook.up();
            try (CliProcess restarted = startServer(dir, serverArgs)) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> webhook.received().size() >= 1);
                LoopbackReceiver.Request call = webhook.received().getFirst();
                assertThat(call.header("X-Patchtide-Delivery-Id")).isEqualTo(Long.toString(deliveryId));
                assertThat(call.header("X-Api-Key")).isEqualTo("crash-test-key");
                JsonNode delivered = new ObjectMapper().readTree(call.body());
                assertThat(delivered.path("id").asText()).isEqualTo(eventId);
                assertThat(delivered.path("source").asText()).isEqualTo("ops.crash-test");
                assertThat(delivered.path("detail")).isEqualTo(new ObjectMapper().readTree(DETAIL));
                // Settled and gone from the outbox: nothing is left that could send it again.
                await().atMost(Duration.ofSeconds(10)).until(() -> outboxRows(db) == 0);
                assertThat(webhook.received()).hasSize(1);
                assertThat(deadLetters(db)).isZero();
                assertThat(restarted.isAlive()).isTrue();
            }
        }
    }

    private static CliProcess startServer(Path dir, String... args) throws Exception {
        CliProcess server = CliProcess.start(dir, args);
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(200))
                .until(() ->
                        !server.isAlive() || ENDPOINT.matcher(server.output()).find());
        assertThat(server.isAlive())
                .as("patchtide server exited early:\n%s", server.output())
                .isTrue();
        return server;
    }

    private static EventBridgeClient client(CliProcess server, Path data) throws Exception {
        Matcher endpoint = ENDPOINT.matcher(server.output());
        assertThat(endpoint.find()).isTrue();
        Map<String, String> credentials = AdminProfile.readIni(data.resolve("aws-credentials"), AdminProfile.PROFILE);
        return EventBridgeClient.builder()
                .endpointOverride(URI.create(endpoint.group(1)))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        credentials.get("aws_access_key_id"), credentials.get("aws_secret_access_key"))))
                .build();
    }

    /** Attempts made and settled (not in flight), so a kill now leaves no lease behind. */
    private static int settledAttempts(DatabaseSettings db, long id) throws Exception {
        return (int) count(
                db,
                "SELECT coalesce(max(attempts), 0) FROM outbox WHERE delivery_id = " + id
                        + " AND leased_until IS NULL");
    }

    private static long outboxRows(DatabaseSettings db) throws Exception {
        return count(db, "SELECT count(*) FROM outbox");
    }

    private static long deadLetters(DatabaseSettings db) throws Exception {
        return count(db, "SELECT count(*) FROM dead_letters");
    }

    private static long count(DatabaseSettings db, String sql) throws Exception {
        try (Connection c = connect(db);
                ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection connect(DatabaseSettings db) throws Exception {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
