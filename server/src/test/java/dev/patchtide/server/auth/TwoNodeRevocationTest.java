package dev.patchtide.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.TestDatabases;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/** Two real server nodes on one database, wired as in production (revocation feed included), over signed HTTP. */
class TwoNodeRevocationTest {
    private final DatabaseSettings settings = TestDatabases.fresh();
    private final Database databaseA = Database.connect(settings);
    private final Database databaseB = Database.connect(settings);
    private final PatchtideServer nodeA = start(databaseA);
    private final PatchtideServer nodeB = start(databaseB);
    private final AccessKeyStore.IssuedKey admin =
            nodeA.accessKeys().createAdminKey("ops", InstantSource.system().instant());
    private final SsmClient ssmA = ssm(nodeA);

    @AfterEach
    void stop() {
        ssmA.close();
        nodeA.close();
        nodeB.close();
        databaseA.close();
        databaseB.close();
    }

    @Test
    void deregistrationOnOneNodeStopsTheKeyThereAtOnceAndOnTheOtherWithinOneFeedPoll() throws Exception {
        CreateActivationResponse activation = ssmA.createActivation(b -> b.iamRole("fleet-role"));
        FakeAgent onA = FakeAgent.register(endpoint(nodeA), activation.activationId(), activation.activationCode());
        FakeAgent onB = new FakeAgent(onA.instanceId(), onA.accessKeyId(), onA.secretAccessKey(), client(nodeB, onA));
        // Issued a moment ago on A: works at once on both nodes, and again from B's memory.
        onA.report("h", "10.0.0.1");
        onB.report("h", "10.0.0.1");
        long lookups = nodeB.accessKeys().databaseLookups();
        onB.report("h", "10.0.0.2");
        assertThat(nodeB.accessKeys().databaseLookups()).isEqualTo(lookups);

        ssmA.deregisterManagedInstance(b -> b.instanceId(onA.instanceId()));
        long polled = nodeB.revocationFeed().completedRounds();

        assertThatThrownBy(() -> onA.report("h", "10.0.0.1"))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.code()).isEqualTo("UnrecognizedClientException"));
        // Node B learns of it from its revocation feed, left to poll at its own pace: the first poll that began
        // after the revocation committed (the one under way may have begun before) must have dropped the key.
        // While its feed is current B trusts what it remembers, so a feed that missed the revocation shows here.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> nodeB.revocationFeed().completedRounds() >= polled + 2);
        assertThat(refusedAsUnknownKey(onB))
                .as("node B still accepts the key after a whole feed poll that began after the revocation")
                .isTrue();
    }

    private static boolean refusedAsUnknownKey(FakeAgent agent) throws Exception {
        try {
            agent.report("h", "10.0.0.1");
            return false;
        } catch (ApiCallException e) {
            return e.code().equals("UnrecognizedClientException");
        }
    }

    private static PatchtideServer start(Database database) {
        ServerConfig config = new ServerConfig(
                "127.0.0.1", 0, TestServer.REGION, ServerConfig.DEFAULT_ACCOUNT, PingStatusPolicy.defaults());
        return PatchtideServer.start(config, database, InstantSource.system());
    }

    private static URI endpoint(PatchtideServer node) {
        return URI.create("http://127.0.0.1:" + node.port());
    }

    private static ApiClient client(PatchtideServer node, FakeAgent agent) {
        return new ApiClient(
                endpoint(node),
                TestServer.REGION,
                Optional.of(new SigV4Credentials(agent.accessKeyId(), agent.secretAccessKey())),
                InstantSource.system());
    }

    private SsmClient ssm(PatchtideServer node) {
        return SsmClient.builder()
                .endpointOverride(endpoint(node))
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))
                .build();
    }
}
