package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetActivityTaskResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * A server stopped in the middle of an execution and another started on the same database: the execution goes on
 * from its last stored step, its Wait timer fires on the new node, and no step is taken twice.
 */
class WorkflowRestartTest {
    private final MutableClock clock = MutableClock.ofNow();
    private final RestartableNode node = RestartableNode.anyPort(clock);

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void executionContinuesOnANewNodeFromItsLastStep() {
        node.start();
        String activity =
                node.sfn().createActivity(b -> b.name("patch-approval")).activityArn();
        String machine = node.sfn()
                .createStateMachine(b -> b.name("survives-restart")
                        .roleArn("arn:aws:iam::123456789012:role/workflows")
                        .definition(
                                """
                                {"StartAt": "Prepare",
                                 "States": {
                                   "Prepare": {"Type": "Pass", "Result": "ready", "ResultPath": "$.stage", "Next": "Hold"},
                                   "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Approve"},
                                   "Approve": {"Type": "Task", "Resource": "%s", "ResultPath": "$.approval", "End": true}}}
                                """
                                        .formatted(activity)))
                .stateMachineArn();
        String execution = node.sfn()
                .startExecution(b -> b.stateMachineArn(machine).input("{\"host\": \"web-1\"}"))
                .executionArn();
        assertThat(types(execution)).endsWith(HistoryEventType.WAIT_STATE_ENTERED);

        node.stop();
        clock.advance(Duration.ofSeconds(3601));
        node.start();

        node.server().workflows().effects().wake();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> types(execution).contains(HistoryEventType.ACTIVITY_SCHEDULED));
        GetActivityTaskResponse task =
                node.sfn().getActivityTask(b -> b.activityArn(activity).workerName("after-restart"));
        assertThat(task.input()).contains("\"stage\":\"ready\"");
        node.sfn().sendTaskSuccess(b -> b.taskToken(task.taskToken()).output("\"yes\""));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> node.sfn()
                                .describeExecution(b -> b.executionArn(execution))
                                .status()
                        != ExecutionStatus.RUNNING);
        assertThat(node.sfn().describeExecution(b -> b.executionArn(execution)).output())
                .isEqualTo("{\"host\":\"web-1\",\"stage\":\"ready\",\"approval\":\"yes\"}");
        List<HistoryEvent> events =
                node.sfn().getExecutionHistory(b -> b.executionArn(execution)).events();
        assertThat(events.stream().map(HistoryEvent::id))
                .as("every step stored once, none repeated")
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, events.size()).boxed().toList());
        assertThat(types(execution))
                .containsExactly(
                        HistoryEventType.EXECUTION_STARTED,
                        HistoryEventType.PASS_STATE_ENTERED,
                        HistoryEventType.PASS_STATE_EXITED,
                        HistoryEventType.WAIT_STATE_ENTERED,
                        HistoryEventType.WAIT_STATE_EXITED,
                        HistoryEventType.TASK_STATE_ENTERED,
                        HistoryEventType.ACTIVITY_SCHEDULED,
                        HistoryEventType.ACTIVITY_STARTED,
                        HistoryEventType.ACTIVITY_SUCCEEDED,
                        HistoryEventType.TASK_STATE_EXITED,
                        HistoryEventType.EXECUTION_SUCCEEDED);
    }

    private List<HistoryEventType> types(String execution) {
        return node.sfn().getExecutionHistory(b -> b.executionArn(execution)).events().stream()
                .map(HistoryEvent::type)
                .toList();
    }
}
