package dev.patchtide.server.testing;

import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.patching.ComplianceStateListener;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A real server on a free port, over a fresh real database, wired exactly as in production, with an
 * admin key and an AWS SDK client ready to use.
 */
public final class TestServer implements AutoCloseable {
    public static final String REGION = "us-east-1";

    private final Database database;
    private final PatchtideServer server;
    private final AccessKeyStore.IssuedKey adminKey;
    private final SsmClient ssm;
    private final String scheme;

    private TestServer(Database database, PatchtideServer server, AccessKeyStore.IssuedKey adminKey, String scheme) {
        this.database = database;
        this.server = server;
        this.scheme = scheme;
        this.adminKey = adminKey;
        this.ssm = ssm(adminKey.accessKeyId(), adminKey.secretAccessKey());
    }

    public static TestServer start(InstantSource clock) {
        return start(clock, PingStatusPolicy.defaults());
    }

    public static TestServer start(InstantSource clock, PingStatusPolicy pingPolicy) {
        return start(clock, config -> config.withPingPolicy(pingPolicy), ComplianceStateListener.NONE);
    }

    /** With a listener told of patch compliance status changes (inside the storing transaction). */
    public static TestServer start(InstantSource clock, ComplianceStateListener listener) {
        return start(clock, config -> config, listener);
    }

    /** A server whose settings the test adjusts (SMTP, public URL, ...). */
    public static TestServer start(InstantSource clock, java.util.function.UnaryOperator<ServerConfig> settings) {
        return start(clock, settings, ComplianceStateListener.NONE);
    }

    /** A server whose agent-package shelf (served, and shipped as the latest agents) is the test's directory. */
    public static TestServer start(
            InstantSource clock,
            java.util.function.UnaryOperator<ServerConfig> settings,
            dev.patchtide.server.enrolment.AgentPackageShelf agentPackages) {
        return start(clock, settings, ComplianceStateListener.NONE, agentPackages);
    }

    private static TestServer start(
            InstantSource clock,
            java.util.function.UnaryOperator<ServerConfig> settings,
            ComplianceStateListener listener) {
        return start(clock, settings, listener, dev.patchtide.server.enrolment.AgentPackageShelf.standard());
    }

    private static TestServer start(
            InstantSource clock,
            java.util.function.UnaryOperator<ServerConfig> settings,
            ComplianceStateListener listener,
            dev.patchtide.server.enrolment.AgentPackageShelf agentPackages) {
        Database database = TestDatabases.connectFresh();
        ServerConfig config = settings.apply(
                new ServerConfig("127.0.0.1", 0, REGION, ServerConfig.DEFAULT_ACCOUNT, PingStatusPolicy.defaults()));
        PatchtideServer server = PatchtideServer.start(config, database, clock, listener, agentPackages);
        return new TestServer(
                database, server, server.accessKeys().createAdminKey("test", clock.instant()), config.scheme());
    }

    public static PingStatusPolicy fastHeartbeats() {
        return new PingStatusPolicy(Duration.ofSeconds(1), 2);
    }

    public URI endpoint() {
        return URI.create(scheme + "://127.0.0.1:" + server.port());
    }

    public SsmClient ssm() {
        return ssm;
    }

    /** An SDK client signing with any key, for example an instance's own or a forged one. */
    public SsmClient ssm(String accessKeyId, String secretAccessKey) {
        return SsmClient.builder()
                .endpointOverride(endpoint())
                .region(Region.of(REGION))
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)))
                .build();
    }

    public AccessKeyStore.IssuedKey adminKey() {
        return adminKey;
    }

    public Database database() {
        return database;
    }

    /** The outbox worker, to register a test deliverer on or to wake after moving the clock. */
    public dev.patchtide.server.delivery.DeliveryWorker deliveries() {
        return server.deliveries();
    }

    /** The server node itself (its workers, for tests that wait for their rounds). */
    public PatchtideServer node() {
        return server;
    }

    /** Waits until the events worker ran a whole round on the current clock and the outbox has drained. */
    public void awaitCaughtUp() {
        Settled.caughtUp(database.jdbi(), java.util.List.of(server));
    }

    /** A signed admin client for Patchtide's own actions, which the AWS SDK has no client for. */
    public dev.patchtide.agent.ApiClient adminClient() {
        return new dev.patchtide.agent.ApiClient(
                endpoint(),
                REGION,
                java.util.Optional.of(new dev.patchtide.core.auth.SigV4Credentials(
                        adminKey.accessKeyId(), adminKey.secretAccessKey())),
                InstantSource.system());
    }

    @Override
    public void close() {
        ssm.close();
        server.close();
        database.close();
    }
}
