package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.connections.LoopbackReceiver;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * A server that stops while an HTTP Task's call is in flight: after restart the call is not sent again; the task
 * fails with {@code States.TaskFailed} saying so, and the state's Retry decides whether to call once more.
 */
class OutwardCallRestartTest {
    private final MutableClock clock = MutableClock.ofNow();
    private final RestartableNode node = RestartableNode.anyPort(clock);
    private final CountDownLatch release = new CountDownLatch(1);
    private LoopbackReceiver receiver;

    @AfterEach
    void stop() {
        release.countDown();
        node.close();
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
        node.start();
        String connection;
        try (EventBridgeClient events = EventBridgeClient.builder()
                .endpointOverride(node.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        node.admin().accessKeyId(), node.admin().secretAccessKey())))
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
        String first = node.sfn().startExecution(b -> b.stateMachineArn(once)).executionArn();
        String second =
                node.sfn().startExecution(b -> b.stateMachineArn(retried)).executionArn();
        await().atMost(Duration.ofSeconds(30)).until(() -> calls("/once") == 1 && calls("/retried") == 1);
        // Dispatched and started before the call went out.
        assertThat(WorkflowCalls.types(node.sfn(), first)).endsWith(HistoryEventType.TASK_STARTED);

        node.stop();
        release.countDown(); // the endpoint acted on both calls, but nobody hears its answers
        clock.advance(OutwardCalls.LEASE.plusSeconds(1));
        node.start();
        node.server().workflows().effects().wake();

        DescribeExecutionResponse failed = awaitEnd(first);
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.error()).isEqualTo("States.TaskFailed");
        assertThat(failed.cause()).isEqualTo(OutwardCalls.IN_FLIGHT);
        assertThat(calls("/once")).as("never sent twice").isEqualTo(1);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> WorkflowCalls.types(node.sfn(), second).contains(HistoryEventType.TASK_FAILED));
        clock.advance(Duration.ofSeconds(3));
        node.server().workflows().effects().wake();
        DescribeExecutionResponse retriedEnd = awaitEnd(second);
        assertThat(retriedEnd.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(calls("/retried"))
                .as("the first call, then the one Retry asked for")
                .isEqualTo(2);
    }

    private String machine(String name, String path, String connection, String retry) {
        return WorkflowCalls.machine(
                node.sfn(),
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
                .until(() -> node.sfn()
                                .describeExecution(b -> b.executionArn(execution))
                                .status()
                        != ExecutionStatus.RUNNING);
        return node.sfn().describeExecution(b -> b.executionArn(execution));
    }
}
