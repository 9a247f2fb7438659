package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.Settled;
import dev.patchtide.server.testing.TestDatabases;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Ping-status transitions with real server nodes on one database (heartbeat 1 s, 2 missed: ConnectionLost
 * after 2 s of silence), the clock moved by hand, several nodes and restarts.
 */
class PingStatusWatcherTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = MutableClock.ofNow();
    private final EventsFixture.Recording topics = new EventsFixture.Recording(TargetDelivery.SNS_TOPIC);
    private final List<PatchtideServer> running = new ArrayList<>();
    private Database database;
    private AccessKeyStore.IssuedKey admin;

    @BeforeEach
    void start() {
        database = TestDatabases.connectFresh();
        PatchtideServer node = startNode();
        admin = node.accessKeys().createAdminKey("test", clock.instant());
        try (EventBridgeClient events = EventBridgeClient.builder()
                .endpointOverride(endpoint(node))
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(credentials())
                .build()) {
            events.putRule(
                    b -> b.name("pings").eventPattern("{\"detail-type\":[\"" + PingStatusWatcher.DETAIL_TYPE + "\"]}"));
            events.putTargets(b -> b.rule("pings")
                    .targets(Target.builder().id("t").arn(EventsFixture.TOPIC).build()));
        }
    }

    @AfterEach
    void stop() {
        running.forEach(PatchtideServer::close);
        database.close();
    }

    private PatchtideServer startNode() {
        PatchtideServer node = PatchtideServer.start(
                new ServerConfig(
                        "127.0.0.1", 0, TestServer.REGION, ServerConfig.DEFAULT_ACCOUNT, TestServer.fastHeartbeats()),
                database,
                clock);
        node.deliveries().replace(topics);
        running.add(node);
        return node;
    }

    private void stopNode(PatchtideServer node) {
        node.close();
        running.remove(node);
    }

    private static URI endpoint(PatchtideServer node) {
        return URI.create("http://127.0.0.1:" + node.port());
    }

    private StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(
                AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey()));
    }

    private FakeAgent register(PatchtideServer node, String name) throws Exception {
        try (SsmClient ssm = SsmClient.builder()
                .endpointOverride(endpoint(node))
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(credentials())
                .build()) {
            var activation = ssm.createActivation(b -> b.iamRole("r").defaultInstanceName(name));
            return FakeAgent.register(endpoint(node), activation.activationId(), activation.activationCode());
        }
    }

    /** The same agent talking to another node. */
    private static FakeAgent via(PatchtideServer node, FakeAgent agent) {
        return new FakeAgent(
                agent.instanceId(),
                agent.accessKeyId(),
                agent.secretAccessKey(),
                new ApiClient(
                        endpoint(node),
                        TestServer.REGION,
                        Optional.of(new SigV4Credentials(agent.accessKeyId(), agent.secretAccessKey())),
                        InstantSource.system()));
    }

    private static void report(FakeAgent agent) throws Exception {
        agent.report("host", "10.0.0.5");
    }

    /** Delivered ping-status events as (instance, status, previous) lines, in delivery order. */
    private List<String> announced() {
        return topics.payloads().stream()
                .map(PingStatusWatcherTest::json)
                .filter(e -> e.path("detail-type").asText().equals(PingStatusWatcher.DETAIL_TYPE))
                .map(e -> e.path("detail").path("instance-id").asText() + " "
                        + e.path("detail").path("previous-ping-status").asText() + "->"
                        + e.path("detail").path("ping-status").asText())
                .toList();
    }

    private List<String> announced(FakeAgent agent) {
        return announced().stream()
                .filter(a -> a.startsWith(agent.instanceId() + " "))
                .map(a -> a.substring(a.indexOf(' ') + 1))
                .toList();
    }

    private static JsonNode json(String payload) {
        try {
            return JSON.readTree(payload);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Ping-status events stored (published), whether or not delivered yet. */
    private List<JsonNode> stored() {
        return database
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT envelope FROM events ORDER BY received_at")
                        .mapTo(String.class)
                        .list())
                .stream()
                .map(PingStatusWatcherTest::json)
                .filter(e -> e.path("detail-type").asText().equals(PingStatusWatcher.DETAIL_TYPE))
                .toList();
    }

    private Optional<String> state(FakeAgent agent) {
        return database.jdbi()
                .withHandle(h -> h.createQuery("SELECT status FROM instance_ping_states WHERE instance_id = :id")
                        .bind("id", agent.instanceId())
                        .mapTo(String.class)
                        .findOne());
    }

    private Instant lastPing(FakeAgent agent) {
        return database.jdbi()
                .withHandle(h -> h.createQuery("SELECT last_ping_at FROM managed_instances WHERE instance_id = :id")
                        .bind("id", agent.instanceId())
                        .map((rs, ctx) -> rs.getTimestamp(1).toInstant())
                        .one());
    }

    /**
     * Every running node's worker has completed a whole round since now, detection (on whichever node holds
     * the shared watermark) has judged the clock as it is now, and everything published has been delivered.
     */
    private void settle() {
        // PostgreSQL keeps microseconds (rounded): the stored watermark may sit just below the exact threshold.
        Instant threshold =
                TestServer.fastHeartbeats().onlineSince(clock.instant()).truncatedTo(ChronoUnit.MICROS);
        Settled.eventsWorkerRound(running);
        await("detection to judge the current clock (" + threshold + ")")
                .atMost(Duration.ofSeconds(60))
                .until(this::checkedUntil, c -> c.filter(t -> !t.isBefore(threshold))
                        .isPresent());
        Settled.outboxDrained(database.jdbi());
    }

    private Optional<Instant> checkedUntil() {
        return database.jdbi().withHandle(h -> h.createQuery(
                        "SELECT checked_until FROM ping_status_watermark WHERE id = 1")
                .map((rs, ctx) -> Optional.ofNullable(rs.getTimestamp(1)).map(t -> t.toInstant()))
                .findOne()
                .flatMap(c -> c));
    }

    /** Another session of this database is waiting for a row lock (the detector, on the test's locked row). */
    private boolean aSessionWaitsForALock() {
        return database.jdbi().withHandle(h -> h.createQuery(
                                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                        + " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'")
                        .mapTo(Long.class)
                        .one())
                > 0;
    }

    private static final String LOST = "Online->ConnectionLost";
    private static final String BACK = "ConnectionLost->Online";

    @Test
    void aFirstReportStartsTheWatchWithoutAnEvent() throws Exception {
        PatchtideServer node = running.getFirst();
        FakeAgent reporting = register(node, "web-01");
        FakeAgent silent = register(node, "web-02"); // registered, never reports: never watched
        assertThat(state(reporting)).isEmpty();

        report(reporting);
        assertThat(state(reporting)).contains("Online");
        settle();
        assertThat(announced()).isEmpty();

        clock.advance(Duration.ofHours(3));
        await().atMost(Duration.ofSeconds(5)).until(() -> announced().size() == 1);
        settle();
        assertThat(announced(reporting)).containsExactly(LOST);
        assertThat(announced(silent)).isEmpty();
        assertThat(state(silent)).isEmpty();
    }

    @Test
    void silenceIsAnnouncedOnceAfterTheMissedHeartbeatsAndRecoveryOnceAtTheReport() throws Exception {
        PatchtideServer node = running.getFirst();
        FakeAgent agent = register(node, "web-01");
        report(agent);

        clock.advance(Duration.ofMillis(1500)); // within 2 x 1 s
        settle();
        assertThat(announced()).isEmpty();

        clock.advance(Duration.ofMillis(1000));
        await().atMost(Duration.ofSeconds(5)).until(() -> announced().size() == 1);
        JsonNode lost = stored().getFirst();
        assertThat(lost.path("source").asText()).isEqualTo("aws.ssm");
        assertThat(lost.path("resources").get(0).asText()).endsWith(":managed-instance/" + agent.instanceId());
        assertThat(Instant.parse(lost.path("detail").path("last-ping-date-time").asText()))
                .isEqualTo(lastPing(agent));

        clock.advance(Duration.ofDays(2)); // a long silence is still one transition
        settle();
        assertThat(announced(agent)).containsExactly(LOST);

        // The recovery is published by the report itself, in its transaction: stored before it returns.
        report(agent);
        assertThat(stored()).hasSize(2);
        JsonNode back = stored().get(1);
        assertThat(back.path("detail").path("ping-status").asText()).isEqualTo("Online");
        assertThat(back.path("detail").path("previous-ping-status").asText()).isEqualTo("ConnectionLost");
        assertThat(Instant.parse(back.path("detail").path("last-ping-date-time").asText()))
                .isEqualTo(lastPing(agent))
                .isAfter(Instant.parse(
                        lost.path("detail").path("last-ping-date-time").asText()));
        report(agent);
        clock.advance(Duration.ofMillis(500));
        report(agent);
        settle();
        assertThat(announced(agent)).containsExactly(LOST, BACK);
        assertThat(state(agent)).contains("Online");
    }

    @Test
    void twoNodesOnOneDatabaseAnnounceEachTransitionOnce() throws Exception {
        PatchtideServer a = running.getFirst();
        PatchtideServer b = startNode();
        List<FakeAgent> agents = new ArrayList<>();
        for (int n = 0; n < 6; n++) {
            agents.add(register(n % 2 == 0 ? a : b, "web-" + n));
        }
        for (int round = 0; round < 3; round++) {
            for (int n = 0; n < agents.size(); n++) {
                // Reports alternate between the nodes from round to round.
                report(via((n + round) % 2 == 0 ? a : b, agents.get(n)));
            }
            clock.advance(Duration.ofSeconds(3));
            int expected = agents.size() * (2 * round + 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> announced().size() == expected);
        }
        for (int n = 0; n < agents.size(); n++) {
            report(via(n % 2 == 0 ? b : a, agents.get(n)));
        }
        settle();
        for (FakeAgent agent : agents) {
            assertThat(announced(agent)).containsExactly(LOST, BACK, LOST, BACK, LOST, BACK);
        }
    }

    @Test
    void aRestartedNodeAnnouncesNothingTwiceAndWhatHappenedWhileDown() throws Exception {
        PatchtideServer first = running.getFirst();
        FakeAgent agent = register(first, "web-01");
        FakeAgent other = register(first, "web-02");
        report(agent);
        report(other);
        clock.advance(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(5)).until(() -> announced().size() == 2);
        stopNode(first);

        PatchtideServer second = startNode();
        settle();
        assertThat(announced()).hasSize(2);
        report(via(second, agent));
        report(via(second, other));
        await().atMost(Duration.ofSeconds(5)).until(() -> announced().size() == 4);
        stopNode(second);

        // Silence while no node runs: announced once by the next one to start.
        clock.advance(Duration.ofMinutes(10));
        startNode();
        await().atMost(Duration.ofSeconds(5)).until(() -> announced().size() == 6);
        startNode(); // and a second node joining later finds nothing left to say
        settle();
        assertThat(announced(agent)).containsExactly(LOST, BACK, LOST);
        assertThat(announced(other)).containsExactly(LOST, BACK, LOST);
    }

    @Test
    void aDeregisteredInstanceIsNotAnnounced() throws Exception {
        PatchtideServer node = running.getFirst();
        FakeAgent leaving = register(node, "web-01");
        FakeAgent staying = register(node, "web-02");
        report(leaving);
        report(staying);
        try (SsmClient ssm = SsmClient.builder()
                .endpointOverride(endpoint(node))
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(credentials())
                .build()) {
            ssm.deregisterManagedInstance(b -> b.instanceId(leaving.instanceId()));
        }
        assertThat(state(leaving)).isEmpty();
        clock.advance(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(5)).until(() -> announced().size() == 1);
        settle();
        assertThat(announced(staying)).containsExactly(LOST);
        assertThat(announced(leaving)).isEmpty();
    }

    @Test
    void theFirstLookOnADatabaseWatchesInstancesThatReportedBeforeWithoutAnEvent() throws Exception {
        PatchtideServer node = running.getFirst();
        FakeAgent recent = register(node, "web-01");
        FakeAgent silent = register(node, "web-02");
        report(recent);
        report(silent);
        // As an older version left it: reports stored, no watch started, detection never ran.
        database.jdbi().useTransaction(h -> {
            h.execute("DELETE FROM instance_ping_states");
            h.execute("UPDATE ping_status_watermark SET checked_until = NULL");
            h.createUpdate("UPDATE managed_instances SET last_ping_at = :at WHERE instance_id = :id")
                    .bind("at", clock.instant().minus(Duration.ofHours(1)))
                    .bind("id", silent.instanceId())
                    .execute();
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> state(recent).isPresent());
        assertThat(state(recent)).contains("Online");
        assertThat(state(silent)).contains("ConnectionLost");
        clock.advance(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(5)).until(() -> announced().size() == 1);
        report(silent);
        await().atMost(Duration.ofSeconds(5)).until(() -> announced().size() == 2);
        settle();
        assertThat(announced(recent)).containsExactly(LOST);
        assertThat(announced(silent)).containsExactly(BACK);
    }

    @Test
    void aReportInFlightWhenTheThresholdPassesIsNotAnnouncedLost() throws Exception {
        PatchtideServer node = running.getFirst();
        FakeAgent agent = register(node, "web-01");
        report(agent);
        // A report's transaction has stored the new ping (its row locked) but not committed yet when the clock
        // passes the old ping's threshold: detection must wait for it, not announce from the old value.
        try (Handle h = database.jdbi().open()) {
            h.begin();
            h.createUpdate("UPDATE managed_instances SET last_ping_at = :at WHERE instance_id = :id")
                    .bind("at", clock.instant().plusSeconds(3))
                    .bind("id", agent.instanceId())
                    .execute();
            clock.advance(Duration.ofSeconds(3));
            running.forEach(n -> n.events().worker().wake());
            // The detector got as far as the instance's row and waits for this transaction.
            await().atMost(Duration.ofSeconds(60)).until(this::aSessionWaitsForALock);
            assertThat(stored()).isEmpty();
            h.commit();
        }
        settle();
        assertThat(announced()).isEmpty();
        assertThat(state(agent)).contains("Online");
        clock.advance(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(5)).until(() -> announced().size() == 1);
    }
}
