package dev.patchtide.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestDatabases;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.PingStatus;

/**
 * Heartbeats that change only the time wait in memory and are written together (see {@link Heartbeats}): real
 * server nodes on one database, a heartbeat of an hour (online for two), pings written every ten minutes of the
 * test's clock, which the test moves by hand.
 */
// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class HeartbeatBatchTest {
    private static final Duration WRITE_INTERVAL = Duration.ofMinutes(10);
    private static final PingStatusPolicy POLICY = new PingStatusPolicy(Duration.ofHours(1), 2, WRITE_INTERVAL);

    private final MutableClock clock = MutableClock.ofNow();
    private final List<PatchtideServer> nodes = new ArrayList<>();
    private Database database;
    private SsmClient ssm;

    @BeforeEach
    void start() {
        database = Database.connect(TestDatabases.fresh());
        PatchtideServer node = startNode();
        var admin = node.accessKeys().createAdminKey("test", clock.instant());
        ssm = SsmClient.builder()
                .endpointOverride(endpoint(node))
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))
                .build();
    }

    @AfterEach
    void stop() {
        ssm.close();
        nodes.forEach(PatchtideServer::close);
        database.close();
    }

    private PatchtideServer startNode() {
        PatchtideServer node = PatchtideServer.start(
                new ServerConfig("127.0.0.1", 0, TestServer.REGION, ServerConfig.DEFAULT_ACCOUNT, POLICY),
                database,
                clock);
        nodes.add(node);
        return node;
    }

    private static URI endpoint(PatchtideServer node) {
        return URI.create("http://127.0.0.1:" + node.port());
    }

    private FakeAgent register() throws Exception {
        var activation = ssm.createActivation(b -> b.iamRole("r"));
        return FakeAgent.register(endpoint(nodes.getFirst()), activation.activationId(), activation.activationCode());
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

    private InstanceInformation described(FakeAgent agent) {
        return ssm.describeInstanceInformation(
                        b -> b.filters(f -> f.key("InstanceIds").values(agent.instanceId())))
                .instanceInformationList()
                .getFirst();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Two more completed rounds than now: a whole round of the writer began after this call. */
    private static void aWholeRound(PollingLoop writer) {
        long seen = writer.completedRounds();
        writer.wake();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            writer.wake();
            return writer.completedRounds() >= seen + 2;
        });
    }

    @Test
    void aHeartbeatThatOnlyMovesTheTimeIsShownWithinTheWriteInterval() throws Exception {
        PollingLoop writer = nodes.getFirst().heartbeatWriter();
        FakeAgent agent = register();
        agent.report("web-1", "10.0.0.1"); // first facts: written at once
        Instant first = now();
        assertThat(described(agent).lastPingDateTime()).isEqualTo(first);

        clock.advance(Duration.ofMinutes(1));
        agent.report("web-1", "10.0.0.1");
        Instant second = now();
        // Within the interval the stored ping is the previous one (the new one waits in memory) ...
        aWholeRound(writer);
        assertThat(described(agent).lastPingDateTime()).isEqualTo(first);

        // ... and once the interval has passed it is the heartbeat's own time, not the time of the write.
        clock.advance(WRITE_INTERVAL);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(described(agent).lastPingDateTime()).isEqualTo(second));
        assertThat(described(agent).pingStatus()).isEqualTo(PingStatus.ONLINE);
    }

    @Test
    void changedFactsAndAnOperatorsReportAreWrittenAtOnce() throws Exception {
        // (an operator's call with the agent's unchanged facts, below, is written at once too)
        FakeAgent agent = register();
        agent.report("web-1", "10.0.0.1");
        clock.advance(Duration.ofMinutes(1));
        agent.report("web-1", "10.0.0.2");
        InstanceInformation info = described(agent);
        assertThat(info.ipAddress()).isEqualTo("10.0.0.2");
        assertThat(info.lastPingDateTime()).isEqualTo(now());

        clock.advance(Duration.ofMinutes(1));
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("InstanceId", agent.instanceId());
        facts.put("ComputerName", "web-1");
        facts.put("IPAddress", "10.0.0.2");
        var admin = nodes.getFirst().accessKeys().createAdminKey("op", clock.instant());
        new ApiClient(
                        endpoint(nodes.getFirst()),
                        TestServer.REGION,
                        Optional.of(new SigV4Credentials(admin.accessKeyId(), admin.secretAccessKey())),
                        InstantSource.system())
                .call("AmazonSSM.UpdateInstanceInformation", facts);
        assertThat(described(agent).lastPingDateTime()).isEqualTo(now());
    }

    @Test
    void anAgentsCommandPollCountsAsAHeartbeat() throws Exception {
        FakeAgent agent = register();
        agent.report("web-1", "10.0.0.1");
        clock.advance(Duration.ofMinutes(3));
        Instant polled = now();
        agent.client()
                .call(
                        "Patchtide.ReceiveCommandInvocations",
                        Map.of("InstanceId", agent.instanceId(), "WaitTimeSeconds", 0));
        clock.advance(WRITE_INTERVAL);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(described(agent).lastPingDateTime()).isEqualTo(polled));
    }

    @Test
    void theNewestPingWinsAndFactsStoredByAnotherNodeAreCorrected() throws Exception {
        PatchtideServer a = nodes.getFirst();
        PatchtideServer b = startNode();
        FakeAgent agent = register();
        // Both nodes stored facts F once (each then knows them).
        via(a, agent).report("web-1", "10.0.0.1");
        clock.advance(Duration.ofMinutes(1));
        via(b, agent).report("web-1", "10.0.0.1");

        // b stores facts G; then the agent's heartbeat with F reaches a, which still believes F stored: kept in
        // memory, and when written, F (the later report) replaces G.
        clock.advance(Duration.ofMinutes(1));
        via(b, agent).report("web-1", "10.0.0.9");
        assertThat(described(agent).ipAddress()).isEqualTo("10.0.0.9");
        clock.advance(Duration.ofMinutes(1));
        via(a, agent).report("web-1", "10.0.0.1");
        Instant latest = now();
        clock.advance(WRITE_INTERVAL);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            InstanceInformation info = described(agent);
            assertThat(info.ipAddress()).isEqualTo("10.0.0.1");
            assertThat(info.lastPingDateTime()).isEqualTo(latest);
        });

        // A pending ping older than one another node stored since is not written over it.
        clock.advance(Duration.ofMinutes(1));
        via(a, agent).report("web-1", "10.0.0.1"); // kept in memory on a
        Instant older = now();
        clock.advance(Duration.ofSeconds(30));
        via(b, agent).report("web-1", "10.0.0.1"); // kept in memory on b
        Instant newer = now();
        b.heartbeatWriter().wake();
        clock.advance(WRITE_INTERVAL);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(
                        () -> assertThat(described(agent).lastPingDateTime()).isEqualTo(newer));
        aWholeRound(a.heartbeatWriter());
        assertThat(older).isBefore(newer);
        assertThat(described(agent).lastPingDateTime()).isEqualTo(newer);
    }

    @Test
    void closingANodeWritesWhatIsPendingAndADeregisteredInstanceIsNotWritten() throws Exception {
        PatchtideServer a = nodes.getFirst();
        FakeAgent agent = register();
        FakeAgent leaving = register();
        agent.report("web-1", "10.0.0.1");
        leaving.report("web-2", "10.0.0.2");
        Instant firstOfLeaving = now();
        clock.advance(Duration.ofMinutes(1));
        agent.report("web-1", "10.0.0.1");
        leaving.report("web-2", "10.0.0.2");
        Instant pending = now();
        ssm.deregisterManagedInstance(b -> b.instanceId(leaving.instanceId()));

        PatchtideServer b = startNode();
        nodes.remove(a);
        a.close(); // the clock has not moved: only closing writes the pending ping
        assertThat(storedPing(agent)).isEqualTo(pending);
        assertThat(storedPing(leaving)).isEqualTo(firstOfLeaving);
        assertThat(b.port()).isPositive();
    }

    private Instant storedPing(FakeAgent agent) {
        return database.jdbi()
                .withHandle(h -> h.createQuery("SELECT last_ping_at FROM managed_instances WHERE instance_id = :id")
                        .bind("id", agent.instanceId())
                        .map((rs, ctx) -> rs.getTimestamp(1).toInstant())
                        .one());
    }
}
