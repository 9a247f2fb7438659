package dev.patchtide.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestDatabases;
import dev.patchtide.server.testing.TestServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A database written by a version before V22, which kept access-key secrets and a ticket's Authorization
 * in plain text: the first start after the upgrade seals them, and the keys and the header still work.
 */
class PlaintextUpgradeTest {
    private static final String ADMIN_ID = "AKIAOLDADMINKEY00001";
    private static final String ADMIN_SECRET = "oldAdminSecret0000000000000000000000000001";
    private static final String INSTANCE = "mi-0123456789abcdef0";
    private static final String INSTANCE_KEY_ID = "AKIAOLDINSTANCEKEY01";
    private static final String INSTANCE_SECRET = "oldInstanceSecret00000000000000000000000002";
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:old-tickets";
    private static final String SUBSCRIPTION = TOPIC + ":" + UUID.randomUUID();
    private static final String AUTHORIZATION = "Basic b2xkLXRpY2tldC1wYXNzd29yZA==";

    @Test
    void plainRowsAreSealedAtTheFirstStartAndStillWork() throws Exception {
        DatabaseSettings settings = TestDatabases.empty();
        LinkedBlockingQueue<String> headers = new LinkedBlockingQueue<>();
        HttpServer tickets = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        tickets.createContext("/issue", exchange -> {
            headers.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.sendResponseHeaders(201, -1);
            exchange.close();
        });
        tickets.start();
        try {
            writeAsVersion21(
                    settings, "http://127.0.0.1:" + tickets.getAddress().getPort() + "/issue");
            assertThat(dump(settings)).contains(ADMIN_SECRET, INSTANCE_SECRET, AUTHORIZATION);

            MutableClock clock = MutableClock.ofNow();
            ServerConfig config = new ServerConfig(
                    "127.0.0.1", 0, TestServer.REGION, ServerConfig.DEFAULT_ACCOUNT, PingStatusPolicy.defaults());
            try (Database database = Database.connect(settings)) {
                try (PatchtideServer server = PatchtideServer.start(config, database, clock)) {
                    String dump = dump(settings);
                    assertThat(dump).contains(ADMIN_ID, INSTANCE_KEY_ID, SUBSCRIPTION, "v1:");
                    assertThat(dump).doesNotContain(ADMIN_SECRET, INSTANCE_SECRET, AUTHORIZATION);
                    // Every row now satisfies the rule new rows are held to: sealed, no plain secret.
                    database.jdbi()
                            .useHandle(h ->
                                    h.execute("ALTER TABLE access_keys VALIDATE CONSTRAINT access_keys_secret_sealed"));
                    assertKeysAndTicketWork(server, headers);
                }
                // A second start finds nothing left to seal and everything still opens.
                try (PatchtideServer again = PatchtideServer.start(config, database, clock)) {
                    headers.clear();
                    assertKeysAndTicketWork(again, headers);
                }
            }
        } finally {
            tickets.stop(0);
        }
    }

    private static void assertKeysAndTicketWork(PatchtideServer server, LinkedBlockingQueue<String> headers)
            throws Exception {
        URI endpoint = URI.create("http://127.0.0.1:" + server.port());
        try (SsmClient admin = SsmClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ADMIN_ID, ADMIN_SECRET)))
                .build()) {
            assertThat(admin.describeInstanceInformation(b -> {}).instanceInformationList())
                    .singleElement()
                    .satisfies(i -> assertThat(i.instanceId()).isEqualTo(INSTANCE));
        }
        InstantSource wall = InstantSource.system();
        SigV4Credentials instanceKey = new SigV4Credentials(INSTANCE_KEY_ID, INSTANCE_SECRET);
        new FakeAgent(
                        INSTANCE,
                        INSTANCE_KEY_ID,
                        INSTANCE_SECRET,
                        new ApiClient(endpoint, TestServer.REGION, Optional.of(instanceKey), wall))
                .report("web-1", "10.0.0.1");

        ApiClient adminClient = new ApiClient(
                endpoint, TestServer.REGION, Optional.of(new SigV4Credentials(ADMIN_ID, ADMIN_SECRET)), wall);
        JsonNode attributes = adminClient
                .call("Patchtide.GetSubscriptionAttributes", Map.of("SubscriptionArn", SUBSCRIPTION))
                .path("Attributes");
        assertThat(attributes.path("TicketAuthorization").asText()).isEqualTo("****");
        assertThat(attributes.path("TicketTemplate").asText()).contains("OLD");
        adminClient.call("Patchtide.Publish", Map.of("TopicArn", TOPIC, "Message", "disk full"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !headers.isEmpty());
        assertThat(headers.peek()).isEqualTo(AUTHORIZATION);
    }

    /** The rows as the server before V22 wrote them, on the schema as it was then. */
    private static void writeAsVersion21(DatabaseSettings settings, String ticketUrl) {
        Flyway.configure()
                .dataSource(settings.jdbcUrl(), settings.user(), settings.password())
                .locations("classpath:db/migration")
                .target("21")
                .load()
                .migrate();
        OffsetDateTime now = Instant.now().atOffset(ZoneOffset.UTC);
        Jdbi.create(settings.jdbcUrl(), settings.user(), settings.password()).useHandle(h -> {
            insertKey(h, ADMIN_ID, ADMIN_SECRET, null, now);
            UUID activation = UUID.randomUUID();
            h.execute(
                    "INSERT INTO activations (activation_id, code_sha256, iam_role, registration_limit,"
                            + " expiration_date, created_date) VALUES (?, ?, 'fleet-role', 1, ?, ?)",
                    activation,
                    new byte[32],
                    now.plusDays(1),
                    now);
            h.execute(
                    "INSERT INTO managed_instances (instance_id, activation_id, iam_role, registration_date)"
                            + " VALUES (?, ?, 'fleet-role', ?)",
                    INSTANCE,
                    activation,
                    now);
            insertKey(h, INSTANCE_KEY_ID, INSTANCE_SECRET, INSTANCE, now);
            h.execute("INSERT INTO sns_topics (topic_arn, name, created_at) VALUES (?, 'old-tickets', ?)", TOPIC, now);
            String template = "{\"fields\":{\"project\":{\"key\":\"OLD\"},\"summary\":\"{{Subject}}\"}}";
            h.execute(
                    "INSERT INTO sns_subscriptions (subscription_arn, topic_arn, protocol, endpoint, confirmed, token,"
                            + " attributes, created_at, confirmed_at) VALUES (?, ?, 'ticket', ?, true, ?,"
                            + " jsonb_build_object('TicketTemplate', CAST(? AS text), 'TicketAuthorization',"
                            + " CAST(? AS text)), ?, ?)",
                    SUBSCRIPTION,
                    TOPIC,
                    ticketUrl,
                    "0".repeat(64),
                    template,
                    AUTHORIZATION,
                    now,
                    now);
        });
    }

    private static void insertKey(Handle h, String id, String secret, String instanceId, OffsetDateTime now) {
        h.execute(
                "INSERT INTO access_keys (access_key_id, secret_access_key, instance_id, created_at)"
                        + " VALUES (?, ?, ?, ?)",
                id,
                secret,
                instanceId,
                now);
    }

    /** Every column of every row of the tables that held secrets, as text. */
    private static String dump(DatabaseSettings settings) {
        return Jdbi.create(settings.jdbcUrl(), settings.user(), settings.password())
                .withHandle(h -> h.createQuery("SELECT concat_ws('\n',"
                                + " (SELECT string_agg(t::text, '\n') FROM access_keys t),"
                                + " (SELECT string_agg(t::text, '\n') FROM sns_subscriptions t))")
                        .mapTo(String.class)
                        .one());
    }
}
