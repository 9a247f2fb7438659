package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * A parent waiting with {@code startExecution.sync:2} survives a server stop: nothing of the wait is in memory, so
 * the child that ends after the restart (its Wait fires on the new node) still completes the parent.
 */
class ChildExecutionRestartTest {
    private final MutableClock clock = MutableClock.ofNow();
    private final RestartableNode node = RestartableNode.anyPort(clock);

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void aChildEndingAfterARestartStillCompletesItsParent() throws Exception {
        node.start();
        String child = WorkflowCalls.machine(
                node.sfn(),
                "long-child",
                """
                {"StartAt": "Hold", "States": {
                  "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
                  "Done": {"Type": "Pass", "Result": {"rebooted": true}, "End": true}}}
                """);
        String parent = WorkflowCalls.machine(
                node.sfn(),
                "patient-parent",
                """
                {"StartAt": "Run", "States": {"Run": {"Type": "Task",
                  "Resource": "arn:aws:states:::states:startExecution.sync:2",
                  "Parameters": {"StateMachineArn": "%s", "Name": "long-1", "Input": {"host": "web-1"}},
                  "ResultSelector": {"status.$": "$.Status", "output.$": "$.Output"}, "End": true}}}
                """
                        .formatted(child));
        String execution =
                node.sfn().startExecution(b -> b.stateMachineArn(parent)).executionArn();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> WorkflowCalls.types(node.sfn(), execution).contains(HistoryEventType.TASK_SUBMITTED));

        node.stop();
        clock.advance(Duration.ofSeconds(3601));
        node.start();
        node.server().workflows().effects().wake();

        DescribeExecutionResponse ended = WorkflowCalls.awaitEnd(node.sfn(), execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(WorkflowCalls.json(ended.output()))
                .isEqualTo(WorkflowCalls.json("{\"status\": \"SUCCEEDED\", \"output\": {\"rebooted\": true}}"));
        assertThat(WorkflowCalls.types(node.sfn(), execution))
                .containsOnlyOnce(HistoryEventType.TASK_SUCCEEDED)
                .endsWith(HistoryEventType.EXECUTION_SUCCEEDED);
    }
}
