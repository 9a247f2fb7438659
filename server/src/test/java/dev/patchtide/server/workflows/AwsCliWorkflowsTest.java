package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.AwsCli;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS CLI, unchanged, running an approval workflow written for AWS (seed 001's shape): the owner is asked over
 * SNS with {@code $$.Task.Token}, answers with send-task-success, and an activity worker installs.
 */
class AwsCliWorkflowsTest {
    TestServer server;
    AwsCli cli;

    @TempDir
    Path folder;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(AwsCli.present(), "the aws CLI is not installed: AWS CLI tests skipped");
        server = TestServer.start(MutableClock.ofNow());
        cli = AwsCli.against(folder, server);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void approvalWorkflowRunsThroughTheCli() throws Exception {
        String topic = cli.ok("sns", "create-topic", "--name", "patch-approvals")
                .json()
                .path("TopicArn")
                .asText();
        String activity = cli.ok("stepfunctions", "create-activity", "--name", "install-patches")
                .json()
                .path("activityArn")
                .asText();
        Path definition = folder.resolve("approval.asl.json");
        Files.writeString(
                definition,
                """
                {
                  "Comment": "Ask the owner, then install",
                  "StartAt": "AskOwner",
                  "States": {
                    "AskOwner": {
                      "Type": "Task",
                      "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
                      "Parameters": {
                        "TopicArn": "%s",
                        "Subject": "Patch approval",
                        "Message": {"instance.$": "$.detail.resourceId", "taskToken.$": "$$.Task.Token"}
                      },
                      "ResultPath": "$.decision",
                      "Next": "Approved?"
                    },
                    "Approved?": {
                      "Type": "Choice",
                      "Choices": [{"Variable": "$.decision.approved", "BooleanEquals": true, "Next": "Install"}],
                      "Default": "Rejected"
                    },
                    "Install": {"Type": "Task", "Resource": "%s", "ResultPath": "$.install", "End": true},
                    "Rejected": {"Type": "Succeed"}
                  }
                }
                """
                        .formatted(topic, activity));
        String machine = cli.ok(
                        "stepfunctions",
                        "create-state-machine",
                        "--name",
                        "patch-on-approval",
                        "--role-arn",
                        "arn:aws:iam::123456789012:role/workflows",
                        "--definition",
                        "file://" + definition)
                .json()
                .path("stateMachineArn")
                .asText();
        String execution = cli.ok(
                        "stepfunctions",
                        "start-execution",
                        "--state-machine-arn",
                        machine,
                        "--name",
                        "i-0abc",
                        "--input",
                        "{\"detail\": {\"resourceId\": \"mi-0123456789abcdef0\"}}")
                .json()
                .path("executionArn")
                .asText();
        assertThat(status(execution)).isEqualTo("RUNNING");

        await().atMost(Duration.ofSeconds(30)).until(() -> types(execution).contains("TaskStarted"));
        String token = null;
        for (JsonNode event : history(execution)) {
            if (event.path("type").asText().equals("TaskScheduled")) {
                JsonNode parameters = ApiJson.documents()
                        .readTree(event.path("taskScheduledEventDetails")
                                .path("parameters")
                                .asText());
                JsonNode message = parameters.path("Message");
                token = (message.isTextual() ? ApiJson.documents().readTree(message.asText()) : message)
                        .path("taskToken")
                        .asText();
            }
        }
        assertThat(token).isNotBlank();
        cli.ok("stepfunctions", "send-task-success", "--task-token", token, "--task-output", "{\"approved\": true}");

        JsonNode task = cli.ok("stepfunctions", "get-activity-task", "--activity-arn", activity, "--worker-name", "w")
                .json();
        assertThat(task.path("input").asText()).contains("mi-0123456789abcdef0");
        cli.ok(
                "stepfunctions",
                "send-task-success",
                "--task-token",
                task.path("taskToken").asText(),
                "--task-output",
                "{\"installed\": 3}");

        await().atMost(Duration.ofSeconds(30)).until(() -> !status(execution).equals("RUNNING"));
        JsonNode described = cli.ok("stepfunctions", "describe-execution", "--execution-arn", execution)
                .json();
        assertThat(described.path("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode output = ApiJson.documents().readTree(described.path("output").asText());
        assertThat(output.path("install").path("installed").asInt()).isEqualTo(3);
        assertThat(types(execution))
                .containsExactly(
                        "ExecutionStarted",
                        "TaskStateEntered",
                        "TaskScheduled",
                        "TaskStarted",
                        "TaskSucceeded",
                        "TaskStateExited",
                        "ChoiceStateEntered",
                        "ChoiceStateExited",
                        "TaskStateEntered",
                        "ActivityScheduled",
                        "ActivityStarted",
                        "ActivitySucceeded",
                        "TaskStateExited",
                        "ExecutionSucceeded");
    }

    private String status(String execution) throws Exception {
        return cli.ok("stepfunctions", "describe-execution", "--execution-arn", execution)
                .json()
                .path("status")
                .asText();
    }

    private JsonNode history(String execution) throws Exception {
        return cli.ok("stepfunctions", "get-execution-history", "--execution-arn", execution)
                .json()
                .path("events");
    }

    private List<String> types(String execution) throws Exception {
        List<String> types = new ArrayList<>();
        history(execution).forEach(e -> types.add(e.path("type").asText()));
        return types;
    }
}
