package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.PatchtideServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.auth.AccessKeyStore;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * A parent waiting with {@code startExecution.sync:2} survives a server stop: nothing of the wait is in memory, so
 * the child that ends after the restart (its Wait fires on the new node) still completes the parent.
 */
class ChildExecutionRestartTest {
    private final MutableClock clock = MutableClock.ofNow();
    private final DatabaseSettings settings = TestDatabases.fresh();
    private AccessKeyStore.IssuedKey admin;
    private Database database;
    private PatchtideServer node;
    private SfnClient sfn;

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
        if (node != null) {
            stopNode();
        }
    }

    @Test
    void aChildEndingAfterARestartStillCompletesItsParent() throws Exception {
        startNode();
        String child = WorkflowCalls.machine(
                sfn,
                "long-child",
                """
                {"StartAt": "Hold", "States": {
                  "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
                  "Done": {"Type": "Pass", "Result": {"rebooted": true}, "End": true}}}
                """);
        String parent = WorkflowCalls.machine(
                sfn,
                "patient-parent",
                """
                {"StartAt": "Run", "States": {"Run": {"Type": "Task",
                  "Resource": "arn:aws:states:::states:startExecution.sync:2",
                  "Parameters": {"StateMachineArn": "%s", "Name": "long-1", "Input": {"host": "web-1"}},
                  "ResultSelector": {"status.$": "$.Status", "output.$": "$.Output"}, "End": true}}}
                """
                        .formatted(child));
        String execution = sfn.startExecution(b -> b.stateMachineArn(parent)).executionArn();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> WorkflowCalls.types(sfn, execution).contains(HistoryEventType.TASK_SUBMITTED));

        stopNode();
        clock.advance(Duration.ofSeconds(3601));
        startNode();
        node.workflows().effects().wake();

        DescribeExecutionResponse ended = WorkflowCalls.awaitEnd(sfn, execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(WorkflowCalls.json(ended.output()))
                .isEqualTo(WorkflowCalls.json("{\"status\": \"SUCCEEDED\", \"output\": {\"rebooted\": true}}"));
        assertThat(WorkflowCalls.types(sfn, execution))
                .containsOnlyOnce(HistoryEventType.TASK_SUCCEEDED)
                .endsWith(HistoryEventType.EXECUTION_SUCCEEDED);
    }
}
