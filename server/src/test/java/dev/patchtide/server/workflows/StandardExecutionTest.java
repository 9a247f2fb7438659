package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetActivityTaskResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;

/** STANDARD executions through the AWS SDK's SfnClient against a real server on a real database. */
class StandardExecutionTest {
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

    static String machine(String name, String definition) {
        return sfn.createStateMachine(
                        b -> b.name(name).definition(definition).roleArn("arn:aws:iam::123456789012:role/workflows"))
                .stateMachineArn();
    }

    static DescribeExecutionResponse awaitEnd(String executionArn) {
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        sfn.describeExecution(b -> b.executionArn(executionArn)).status() != ExecutionStatus.RUNNING);
        return sfn.describeExecution(b -> b.executionArn(executionArn));
    }

    static List<HistoryEventType> types(String executionArn) {
        return sfn.getExecutionHistory(b -> b.executionArn(executionArn).maxResults(1000)).events().stream()
                .map(HistoryEvent::type)
                .toList();
    }

    @Test
    void waitTimerFiresWhenTheClockPassesItsDueTime() throws Exception {
        String arn = machine(
                "wait-then-pass",
                """
                {"StartAt": "Hold",
                 "States": {
                   "Hold": {"Type": "Wait", "Seconds": 300, "Next": "Done"},
                   "Done": {"Type": "Pass", "Result": {"ok": true}, "ResultPath": "$.result", "End": true}}}
                """);
        String execution = sfn.startExecution(
                        b -> b.stateMachineArn(arn).name("first").input("{\"n\": 1}"))
                .executionArn();
        assertThat(execution).isEqualTo(arn.replace(":stateMachine:", ":execution:") + ":first");
        assertThat(sfn.describeExecution(b -> b.executionArn(execution)).status())
                .isEqualTo(ExecutionStatus.RUNNING);

        long rounds = server.node().workflows().effects().completedRounds();
        server.node().workflows().effects().wake();
        await().until(() -> server.node().workflows().effects().completedRounds() >= rounds + 2);
        assertThat(sfn.describeExecution(b -> b.executionArn(execution)).status())
                .as("the timer is not due yet")
                .isEqualTo(ExecutionStatus.RUNNING);

        clock.advance(Duration.ofSeconds(301));
        server.node().workflows().effects().wake();
        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode output = ApiJson.documents().readTree(done.output());
        assertThat(output.path("n").asInt()).isEqualTo(1);
        assertThat(output.path("result").path("ok").asBoolean()).isTrue();
        assertThat(types(execution))
                .containsExactly(
                        HistoryEventType.EXECUTION_STARTED,
                        HistoryEventType.WAIT_STATE_ENTERED,
                        HistoryEventType.WAIT_STATE_EXITED,
                        HistoryEventType.PASS_STATE_ENTERED,
                        HistoryEventType.PASS_STATE_EXITED,
                        HistoryEventType.EXECUTION_SUCCEEDED);
    }

    @Test
    void outputKeepsTheInputsKeyOrderAcrossAStoredStep() throws Exception {
        String arn = machine(
                "order-kept",
                """
                {"StartAt": "Hold",
                 "States": {"Hold": {"Type": "Wait", "Seconds": 60, "End": true}}}
                """);
        String input = "{\"zeta\":1,\"alpha\":{\"yy\":2,\"b\":3},\"mid\":[{\"long-key\":4,\"k\":5}]}";
        String execution =
                sfn.startExecution(b -> b.stateMachineArn(arn).input(input)).executionArn();
        clock.advance(Duration.ofSeconds(61));
        server.node().workflows().effects().wake();
        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.output())
                .as("the snapshot stored during the wait keeps key order")
                .isEqualTo(input);
    }

    @Test
    void activityTaskIsTakenOnceAndAnsweredWithItsToken() throws Exception {
        String activity = sfn.createActivity(b -> b.name("approve")).activityArn();
        String arn = machine(
                "activity-machine",
                """
                {"StartAt": "Ask",
                 "States": {"Ask": {"Type": "Task", "Resource": "%s", "End": true}}}
                """
                        .formatted(activity));
        String execution = sfn.startExecution(b -> b.stateMachineArn(arn).input("{\"host\": \"web-1\"}"))
                .executionArn();

        GetActivityTaskResponse task =
                sfn.getActivityTask(b -> b.activityArn(activity).workerName("w1"));
        assertThat(task.taskToken()).isNotBlank();
        assertThat(ApiJson.documents().readTree(task.input()).path("host").asText())
                .isEqualTo("web-1");

        sfn.sendTaskSuccess(b -> b.taskToken(task.taskToken()).output("{\"approved\": true}"));
        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(ApiJson.documents().readTree(done.output()).path("approved").asBoolean())
                .isTrue();
        assertThat(types(execution))
                .containsExactly(
                        HistoryEventType.EXECUTION_STARTED,
                        HistoryEventType.TASK_STATE_ENTERED,
                        HistoryEventType.ACTIVITY_SCHEDULED,
                        HistoryEventType.ACTIVITY_STARTED,
                        HistoryEventType.ACTIVITY_SUCCEEDED,
                        HistoryEventType.TASK_STATE_EXITED,
                        HistoryEventType.EXECUTION_SUCCEEDED);

        assertThatThrownBy(() ->
                        sfn.sendTaskSuccess(b -> b.taskToken(task.taskToken()).output("{}")))
                .isInstanceOf(TaskTimedOutException.class)
                .hasMessageContaining("Provided task does not exist anymore");
        assertThatThrownBy(() -> sfn.sendTaskFailure(b -> b.taskToken("not-a-token")))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void snsPublishWaitsForTheTokenItCarried() throws Exception {
        String topic;
        try (var sns = SfnClients.sns(server)) {
            topic = sns.createTopic(b -> b.name("approvals")).topicArn();
        }
        String arn = machine(
                "sns-token",
                """
                {"StartAt": "Notify",
                 "States": {"Notify": {
                   "Type": "Task",
                   "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
                   "Parameters": {"TopicArn": "%s", "Message": {"token.$": "$$.Task.Token", "host.$": "$.host"}},
                   "Catch": [{"ErrorEquals": ["rejected"], "ResultPath": "$.error", "Next": "Rejected"}],
                   "End": true},
                  "Rejected": {"Type": "Fail", "Error": "Rejected", "Cause": "the owner said no"}}}
                """
                        .formatted(topic));

        String approved = sfn.startExecution(b -> b.stateMachineArn(arn).input("{\"host\": \"db-1\"}"))
                .executionArn();
        String yes = tokenOf(approved);
        sfn.sendTaskSuccess(b -> b.taskToken(yes).output("{\"approved\": \"yes\"}"));
        DescribeExecutionResponse done = awaitEnd(approved);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(done.output()).contains("\"approved\":\"yes\"");
        assertThat(types(approved))
                .containsExactly(
                        HistoryEventType.EXECUTION_STARTED,
                        HistoryEventType.TASK_STATE_ENTERED,
                        HistoryEventType.TASK_SCHEDULED,
                        HistoryEventType.TASK_STARTED,
                        HistoryEventType.TASK_SUCCEEDED,
                        HistoryEventType.TASK_STATE_EXITED,
                        HistoryEventType.EXECUTION_SUCCEEDED);

        String rejected = sfn.startExecution(b -> b.stateMachineArn(arn).input("{\"host\": \"db-2\"}"))
                .executionArn();
        String no = tokenOf(rejected);
        sfn.sendTaskFailure(b -> b.taskToken(no).error("rejected").cause("no"));
        DescribeExecutionResponse failed = awaitEnd(rejected);
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.error()).isEqualTo("Rejected");
        assertThat(failed.cause()).isEqualTo("the owner said no");
    }

    /** The token the task published: read back from its TaskScheduled parameters, once the publish was made. */
    static String tokenOf(String executionArn) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> types(executionArn).contains(HistoryEventType.TASK_STARTED));
        HistoryEvent scheduled = sfn.getExecutionHistory(b -> b.executionArn(executionArn)).events().stream()
                .filter(e -> e.type() == HistoryEventType.TASK_SCHEDULED)
                .findFirst()
                .orElseThrow();
        JsonNode parameters = ApiJson.documents()
                .readTree(scheduled.taskScheduledEventDetails().parameters());
        JsonNode message = parameters.path("Message");
        return message.isTextual()
                ? ApiJson.documents().readTree(message.asText()).path("token").asText()
                : message.path("token").asText();
    }

    @Test
    void ssmActionRunsInProcessAndItsAnswerIsTheTaskResult() throws Exception {
        String arn = machine(
                "ssm-call",
                """
                {"StartAt": "Instances",
                 "States": {"Instances": {
                   "Type": "Task",
                   "Resource": "arn:aws:states:::aws-sdk:ssm:describeInstanceInformation",
                   "Parameters": {},
                   "End": true}}}
                """);
        String execution = sfn.startExecution(b -> b.stateMachineArn(arn)).executionArn();
        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(ApiJson.documents().readTree(done.output()).has("InstanceInformationList"))
                .isTrue();

        String failing = machine(
                "ssm-fails",
                """
                {"StartAt": "Get",
                 "States": {"Get": {
                   "Type": "Task",
                   "Resource": "arn:aws:states:::aws-sdk:ssm:getCommandInvocation",
                   "Parameters": {"CommandId": "11111111-2222-3333-4444-555555555555", "InstanceId": "mi-0123456789abcdef0"},
                   "End": true}}}
                """);
        DescribeExecutionResponse failed =
                awaitEnd(sfn.startExecution(b -> b.stateMachineArn(failing)).executionArn());
        assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(failed.error()).startsWith("Ssm.").endsWith("Exception");
    }
}
