package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * {@code arn:aws:states:::states:startExecution} with each pattern, parent and child on one real server, through the
 * AWS SDK's SfnClient.
 */
class StartExecutionTest {
    static final MutableClock clock = MutableClock.ofNow();
    static TestServer server;
    static SfnClient sfn;

    @BeforeAll
    static void start() {
        server = TestServer.start(clock);
        sfn = SfnClients.sfn(server);
    }

    @AfterAll
    static void stop() {
        sfn.close();
        server.close();
    }

    static String parent(String name, String resource, String child, String input) {
        return WorkflowCalls.machine(
                sfn,
                name,
                """
                {"StartAt": "Start", "States": {"Start": {"Type": "Task", "Resource": "%s",
                  "Parameters": {"StateMachineArn": "%s", "Name.$": "$.childName", "Input": %s}, "End": true}}}
                """
                        .formatted(resource, child, input));
    }

    static String childArn(String machineArn, String name) {
        return machineArn.replace(":stateMachine:", ":execution:") + ":" + name;
    }

    static String start(String machine, String input) {
        return sfn.startExecution(b -> b.stateMachineArn(machine).input(input)).executionArn();
    }

    @Test
    void requestResponseStartsTheChildWithItsInputAsGivenAndAnswersStartExecution() throws Exception {
        String child = WorkflowCalls.machine(
                sfn, "rr-child", "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": true}}}");
        String parent = parent(
                "rr-parent",
                "arn:aws:states:::states:startExecution",
                child,
                "{\"host.$\": \"$.host\", \"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$\": \"$$.Execution.Id\"}");
        Instant before = clock.instant();
        String execution = start(parent, "{\"host\": \"web-1\", \"childName\": \"rr-1\"}");

        DescribeExecutionResponse ended = WorkflowCalls.awaitEnd(sfn, execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode output = WorkflowCalls.json(ended.output());
        assertThat(output.path("ExecutionArn").asText()).isEqualTo(childArn(child, "rr-1"));
        assertThat(output.path("StartDate").isIntegralNumber()).isTrue();
        assertThat(output.path("StartDate").asLong()).isEqualTo(before.toEpochMilli());
        assertThat(output.path("SdkHttpMetadata").path("HttpStatusCode").asInt())
                .isEqualTo(200);
        DescribeExecutionResponse childRun = WorkflowCalls.awaitEnd(sfn, childArn(child, "rr-1"));
        assertThat(WorkflowCalls.json(childRun.input()))
                .isEqualTo(WorkflowCalls.json("{\"host\": \"web-1\", \"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID\": \""
                        + execution + "\"}"));
    }

    @Test
    void syncWaitsForTheChildAndAnswersItsDescriptionWithOutputAsText() throws Exception {
        String child = WorkflowCalls.machine(
                sfn,
                "sync-child",
                """
                {"StartAt": "Hold", "States": {
                  "Hold": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
                  "Done": {"Type": "Pass", "Result": {"patched": 3}, "End": true}}}
                """);
        String parent = parent("sync-parent", "arn:aws:states:::states:startExecution.sync", child, "{\"n\": 1}");
        String execution = start(parent, "{\"childName\": \"sync-1\"}");

        await().atMost(Duration.ofSeconds(30))
                .until(() -> WorkflowCalls.types(sfn, execution).contains(HistoryEventType.TASK_SUBMITTED));
        assertThat(sfn.describeExecution(b -> b.executionArn(execution)).status())
                .as("waits for the child")
                .isEqualTo(ExecutionStatus.RUNNING);
        clock.advance(Duration.ofSeconds(61));
        server.node().workflows().effects().wake();

        DescribeExecutionResponse ended = WorkflowCalls.awaitEnd(sfn, execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode output = WorkflowCalls.json(ended.output());
        assertThat(output.path("ExecutionArn").asText()).isEqualTo(childArn(child, "sync-1"));
        assertThat(output.path("Status").asText()).isEqualTo("SUCCEEDED");
        assertThat(output.path("Output").isTextual()).isTrue();
        assertThat(output.path("Output").asText()).isEqualTo("{\"patched\":3}");
        assertThat(output.path("Input").asText()).isEqualTo("{\"n\":1}");
        assertThat(output.path("StopDate").asLong() - output.path("StartDate").asLong())
                .isEqualTo(61_000);
        assertThat(WorkflowCalls.types(sfn, execution))
                .containsExactly(
                        HistoryEventType.EXECUTION_STARTED,
                        HistoryEventType.TASK_STATE_ENTERED,
                        HistoryEventType.TASK_SCHEDULED,
                        HistoryEventType.TASK_STARTED,
                        HistoryEventType.TASK_SUBMITTED,
                        HistoryEventType.TASK_SUCCEEDED,
                        HistoryEventType.TASK_STATE_EXITED,
                        HistoryEventType.EXECUTION_SUCCEEDED);
    }

    @Test
    void sync2AnswersTheChildsInputAndOutputAsJsonEvenWhenItEndsAtOnce() throws Exception {
        String child = WorkflowCalls.machine(
                sfn,
                "sync2-child",
                "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"Result\": [1, 2], \"End\": true}}}");
        String parent = parent("sync2-parent", "arn:aws:states:::states:startExecution.sync:2", child, "{\"n\": 2}");
        String execution = start(parent, "{\"childName\": \"sync2-1\"}");

        DescribeExecutionResponse ended = WorkflowCalls.awaitEnd(sfn, execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode output = WorkflowCalls.json(ended.output());
        assertThat(output.path("Output")).isEqualTo(WorkflowCalls.json("[1, 2]"));
        assertThat(output.path("Input")).isEqualTo(WorkflowCalls.json("{\"n\": 2}"));
        assertThat(WorkflowCalls.types(sfn, execution))
                .as("submitted before it succeeded, though the child ended in the same transaction")
                .containsSubsequence(HistoryEventType.TASK_SUBMITTED, HistoryEventType.TASK_SUCCEEDED);
    }

    @Test
    void aChildThatFailsFailsTheTaskWithTaskFailedAndItsDescriptionAsCause() throws Exception {
        String child = WorkflowCalls.machine(
                sfn,
                "failing-child",
                "{\"StartAt\": \"F\", \"States\": {\"F\": {\"Type\": \"Fail\", \"Error\": \"Broken\","
                        + " \"Cause\": \"disk full\"}}}");
        String parent = parent("failing-parent", "arn:aws:states:::states:startExecution.sync", child, "{}");
        String execution = start(parent, "{\"childName\": \"fails-1\"}");

        DescribeExecutionResponse ended = WorkflowCalls.awaitEnd(sfn, execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(ended.error()).isEqualTo("States.TaskFailed");
        JsonNode cause = WorkflowCalls.json(ended.cause());
        assertThat(cause.path("Status").asText()).isEqualTo("FAILED");
        assertThat(cause.path("Error").asText()).isEqualTo("Broken");
        assertThat(cause.path("Cause").asText()).isEqualTo("disk full");
        assertThat(cause.path("ExecutionArn").asText()).isEqualTo(childArn(child, "fails-1"));
    }

    @Test
    void stoppingTheParentStopsASyncChildButNotOneStartedWithoutSync() {
        String activity = sfn.createActivity(b -> b.name("never-answered")).activityArn();
        String child = WorkflowCalls.machine(
                sfn,
                "waiting-child",
                "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Task\", \"Resource\": \"" + activity
                        + "\", \"End\": true}}}");
        String syncParent = parent("stopped-sync-parent", "arn:aws:states:::states:startExecution.sync", child, "{}");
        String plainParent = WorkflowCalls.machine(
                sfn,
                "stopped-plain-parent",
                """
                {"StartAt": "Start", "States": {
                  "Start": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                    "Parameters": {"StateMachineArn": "%s", "Name.$": "$.childName"}, "Next": "Hold"},
                  "Hold": {"Type": "Wait", "Seconds": 3600, "End": true}}}
                """
                        .formatted(child));
        String synced = start(syncParent, "{\"childName\": \"stop-sync\"}");
        String plain = start(plainParent, "{\"childName\": \"stop-plain\"}");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> WorkflowCalls.types(sfn, synced).contains(HistoryEventType.TASK_SUBMITTED)
                        && WorkflowCalls.types(sfn, plain).contains(HistoryEventType.WAIT_STATE_ENTERED));

        sfn.stopExecution(b -> b.executionArn(synced).cause("operator"));
        sfn.stopExecution(b -> b.executionArn(plain).cause("operator"));

        DescribeExecutionResponse stoppedChild = WorkflowCalls.awaitEnd(sfn, childArn(child, "stop-sync"));
        assertThat(stoppedChild.status()).isEqualTo(ExecutionStatus.ABORTED);
        assertThat(stoppedChild.cause()).contains(synced);
        assertThat(sfn.describeExecution(b -> b.executionArn(childArn(child, "stop-plain")))
                        .status())
                .isEqualTo(ExecutionStatus.RUNNING);
    }

    @Test
    void waitForTaskTokenHandsTheChildATokenThatEndsTheParentsTask() throws Exception {
        String activity = sfn.createActivity(b -> b.name("approver")).activityArn();
        String child = WorkflowCalls.machine(
                sfn,
                "token-child",
                "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Task\", \"Resource\": \"" + activity
                        + "\", \"End\": true}}}");
        String parent = parent(
                "token-parent",
                "arn:aws:states:::states:startExecution.waitForTaskToken",
                child,
                "{\"token.$\": \"$$.Task.Token\"}");
        String execution = start(parent, "{\"childName\": \"token-1\"}");

        var task = sfn.getActivityTask(b -> b.activityArn(activity).workerName("approver-1"));
        String token = WorkflowCalls.json(task.input()).path("token").asText();
        sfn.sendTaskSuccess(b -> b.taskToken(token).output("{\"approved\": true}"));

        DescribeExecutionResponse ended = WorkflowCalls.awaitEnd(sfn, execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(WorkflowCalls.json(ended.output())).isEqualTo(WorkflowCalls.json("{\"approved\": true}"));
    }
}
