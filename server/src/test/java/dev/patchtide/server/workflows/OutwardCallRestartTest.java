package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.connections.LoopbackReceiver;
import dev.patchtide.server.db.Database;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.patching.ComplianceStateListener;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestDatabases;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * A server that stops while an HTTP Task's call is in flight: after restart the call is not sent again; the task
 * fails with {@code States.TaskFailed} saying so, and the state's Retry decides whether to call once more.
 */
class OutwardCallRestartTest {
    private final MutableClock clock = MutableClock.ofNow();
    private final DatabaseSettings settings = TestDatabases.fresh();
    private AccessKeyStore.IssuedKey admin;
    private Database database;
    private PatchtideServer node;
    private SfnClient sfn;
    private final CountDownLatch release = new CountDownLatch(1);
    private LoopbackReceiver receiver;

    private void startNode() {
        database = Database.connect(settings);
        node = PatchtideServer.start(
                new ServerConfig(
                        "127.0.0.1", 0, TestServer.REGION, ServerConfig.DEFAULT_ACCOUNT, PingStatusPolicy.defaults()),
                database,
                clock,
                ComplianceStateListener.NONE);
        if (admin == null) {
            admin = node.accessKeys()
                    .createAdminKey("test", InstantSource.system().instant());
        }
        sfn = SfnClients.sfn(
                URI.create("http://127.0.0.1:" + node.port()), admin.accessKeyId(), admin.secretAccessKey());
    }

    private void stopNode() {
        sfn.close();
        node.close();
        database.close();
        node = null;
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (node != null) {
            stopNode();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private long calls(String path) {
        return receiver.received().stream().filter(r -> r.path().equals(path)).count();
    }

    @Test
    void aCallInFlightWhenTheServerStopsIsNotSentAgainAndRetryDecides() throws Exception {
        // Answers nothing until released: the calls are in flight when the server stops.
        receiver = LoopbackReceiver.start().otherwise(r -> {
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new LoopbackReceiver.Answer(200, "{\"ok\":true}");
        });
        startNode();
        String connection;
        try (EventBridgeClient events = EventBridgeClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + node.port()))
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))
                .build()) {
            connection = events.createConnection(
                            b -> b.name("hook").authorizationType("NONE").authParameters(a -> {}))
                    .connectionArn();
        }
        String once = machine("no-retry", "/once", connection, "");
        String retried = machine(
                "retry-once",
                "/retried",
                connection,
                ", \"Retry\": [{\"ErrorEquals\": [\"States.TaskFailed\"], \"IntervalSeconds\": 2, \"MaxAttempts\": 1}]");
        String first = sfn.startExecution(b -> b.stateMachineArn(once)).executionArn();
        String second = sfn.startExecution(b -> b.stateMachineArn(retried)).executionArn();
        await().atMost(Duration.ofSeconds(30)).until(() -> calls("/once") == 1 && calls("/retried") == 1);
        // Dispatched and started before the call went out.
        assertThat(WorkflowCalls.types(sfn, first)).endsWith(HistoryEventType.TASK_STARTED);

        stopNode();
        release.countDown(); // the endpoint acted on both calls, but nobody hears its answers
        clock.advance(OutwardCalls.LEASE.plusSeconds(1));
        startNode();
        node.workflows().effects().wake();

        DescribeExecutionResponse failed = awaitEnd(first);
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.error()).isEqualTo("States.TaskFailed");
        assertThat(failed.cause()).isEqualTo(OutwardCalls.IN_FLIGHT);
        assertThat(calls("/once")).as("never sent twice").isEqualTo(1);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> WorkflowCalls.types(sfn, second).contains(HistoryEventType.TASK_FAILED));
        clock.advance(Duration.ofSeconds(3));
        node.workflows().effects().wake();
        DescribeExecutionResponse retriedEnd = awaitEnd(second);
        assertThat(retriedEnd.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(calls("/retried"))
                .as("the first call, then the one Retry asked for")
                .isEqualTo(2);
    }

    private String machine(String name, String path, String connection, String retry) {
        return WorkflowCalls.machine(
                sfn,
                name,
                """
                {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                  "Parameters": {"ApiEndpoint": "%s", "Method": "POST", "Authentication": {"ConnectionArn": "%s"},
                                 "RequestBody": {"n": 1}}%s,
                  "End": true}}}
                """
                        .formatted(receiver.url(path), connection, retry));
    }

    private DescribeExecutionResponse awaitEnd(String execution) {
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        sfn.describeExecution(b -> b.executionArn(execution)).status() != ExecutionStatus.RUNNING);
        return sfn.describeExecution(b -> b.executionArn(execution));
    }
}
