package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.Agent;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.commands.CommandRunner;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * {@code arn:aws:states:::aws-sdk:ssm:sendCommand.sync} with the real agent running AWS-RunShellScript: the task
 * ends with the command, also when the command ends while the server is down.
 */
class SendCommandSyncTest {
    static final String DEFINITION =
            """
            {"StartAt": "Run", "States": {
              "Run": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:ssm:sendCommand.sync",
                "Parameters": {"DocumentName": "AWS-RunShellScript", "InstanceIds.$": "$.instances",
                               "Parameters": {"commands.$": "$.commands"}},
                "Catch": [{"ErrorEquals": ["Ssm.CommandFailed"], "ResultPath": "$.failure", "Next": "Failed"}],
                "End": true},
              "Failed": {"Type": "Pass", "End": true}}}
            """;

    private final MutableClock clock = MutableClock.ofNow();
    private final RestartableNode node = RestartableNode.fixedPort(clock);

    @TempDir
    Path state;

    @TempDir
    Path work;

    private Agent agent;
    private String instanceId;
    private String machine;

    @BeforeEach
    void start() throws Exception {
        node.start();
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                node.admin().accessKeyId(), node.admin().secretAccessKey()));
        try (SsmClient ssm = SsmClient.builder()
                .endpointOverride(node.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(credentials)
                .build()) {
            var activation = ssm.createActivation(b -> b.iamRole("fleet").registrationLimit(1));
            FakeAgent registered =
                    FakeAgent.register(node.endpoint(), activation.activationId(), activation.activationCode());
            instanceId = registered.instanceId();
            agent = new Agent(
                            new Registration(
                                    node.endpoint().toString(),
                                    TestServer.REGION,
                                    registered.instanceId(),
                                    registered.accessKeyId(),
                                    registered.secretAccessKey(),
                                    300,
                                    Instant.now()),
                            state,
                            Duration.ofMinutes(5),
                            Duration.ZERO,
                            work,
                            () -> new HostFacts("web-1", List.of("10.0.0.1"), "Linux", "Debian GNU/Linux", "12"),
                            InstantSource.system())
                    .commands(
                            true, new CommandRunner.Settings(1, Duration.ofMillis(300), 8192, 10, Duration.ofDays(1)));
            agent.start();
        }
        machine = node.sfn()
                .createStateMachine(b -> b.name("run-and-wait")
                        .definition(DEFINITION)
                        .roleArn("arn:aws:iam::123456789012:role/workflows"))
                .stateMachineArn();
    }

    @AfterEach
    void stop() {
        agent.close();
        node.close();
    }

    private String run(String... commands) {
        ObjectNode input = ApiJson.documents().createObjectNode();
        input.putArray("instances").add(instanceId);
        var list = input.putArray("commands");
        for (String c : commands) {
            list.add(c);
        }
        return node.sfn()
                .startExecution(b -> b.stateMachineArn(machine).input(input.toString()))
                .executionArn();
    }

    private DescribeExecutionResponse awaitEnd(String execution) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> node.sfn()
                                .describeExecution(b -> b.executionArn(execution))
                                .status()
                        != ExecutionStatus.RUNNING);
        return node.sfn().describeExecution(b -> b.executionArn(execution));
    }

    private List<HistoryEvent> history(String execution) {
        return node.sfn().getExecutionHistory(b -> b.executionArn(execution)).events();
    }

    @Test
    void taskEndsWithTheCommandAndAnswersTheFinalCommand() throws Exception {
        String execution = run("echo patched");
        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode command = ApiJson.documents().readTree(done.output());
        assertThat(command.path("Status").asText()).isEqualTo("Success");
        assertThat(command.path("DocumentName").asText()).isEqualTo("AWS-RunShellScript");
        assertThat(command.path("CompletedCount").asInt()).isEqualTo(1);

        List<HistoryEvent> events = history(execution);
        assertThat(events.stream().map(HistoryEvent::type))
                .containsSubsequence(
                        HistoryEventType.TASK_SCHEDULED,
                        HistoryEventType.TASK_STARTED,
                        HistoryEventType.TASK_SUBMITTED,
                        HistoryEventType.TASK_SUCCEEDED);
        HistoryEvent submitted = events.stream()
                .filter(e -> e.type() == HistoryEventType.TASK_SUBMITTED)
                .findFirst()
                .orElseThrow();
        assertThat(submitted.taskSubmittedEventDetails().resource()).isEqualTo("sendCommand.sync");
        JsonNode sent = ApiJson.documents()
                .readTree(submitted.taskSubmittedEventDetails().output());
        assertThat(sent.path("Command").path("CommandId").asText())
                .isEqualTo(command.path("CommandId").asText());
        assertThat(sent.path("Command").path("Status").asText()).isEqualTo("Pending");
    }

    @Test
    void failedCommandIsANamedErrorTheCatchMatches() throws Exception {
        String execution = run("echo broken >&2", "exit 3");
        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode failure = ApiJson.documents().readTree(done.output()).path("failure");
        assertThat(failure.path("Error").asText()).isEqualTo("Ssm.CommandFailed");
        JsonNode cause = ApiJson.documents().readTree(failure.path("Cause").asText());
        assertThat(cause.path("Status").asText()).isEqualTo("Failed");
        assertThat(cause.path("ErrorCount").asInt()).isEqualTo(1);
    }

    @Test
    void cancelledCommandFailsTheTaskWithSsmCommandCancelled() throws Exception {
        String execution = run("sleep 60");
        await().atMost(Duration.ofSeconds(30)).until(() -> commandStatus().equals("InProgress"));
        String commandId = node.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT command_id FROM sfn_command_waits")
                .mapTo(String.class)
                .one());
        try (SsmClient ssm = SsmClient.builder()
                .endpointOverride(node.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        node.admin().accessKeyId(), node.admin().secretAccessKey())))
                .build()) {
            ssm.cancelCommand(b -> b.commandId(commandId));
        }
        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).as("Ssm.CommandCancelled is not caught here").isEqualTo(ExecutionStatus.FAILED);
        assertThat(done.error()).isEqualTo("Ssm.CommandCancelled");
        JsonNode cause = ApiJson.documents().readTree(done.cause());
        assertThat(cause.path("CommandId").asText()).isEqualTo(commandId);
        assertThat(cause.path("Status").asText()).isEqualTo("Cancelled");
    }

    @Test
    void commandEndingWhileTheServerIsDownCompletesTheTaskAfterRestart() throws Exception {
        Path go = work.resolve("go");
        Path finished = work.resolve("finished");
        String execution =
                run("while [ ! -f " + go + " ]; do sleep 0.1; done", "touch " + finished, "echo after the outage");
        await().atMost(Duration.ofSeconds(30)).until(() -> commandStatus().equals("InProgress"));

        node.stop();
        Files.writeString(go, "");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(finished));

        node.start();
        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode command = ApiJson.documents().readTree(done.output());
        assertThat(command.path("Status").asText()).isEqualTo("Success");
        assertThat(history(execution).stream().filter(e -> e.type() == HistoryEventType.TASK_SUCCEEDED))
                .hasSize(1);
    }

    /** The waiting command's status, as ListCommands shows it; empty while no task waits. */
    private String commandStatus() {
        var waiting = node.database().jdbi().withHandle(h -> h.createQuery("SELECT command_id FROM sfn_command_waits")
                .mapTo(String.class)
                .findOne());
        if (waiting.isEmpty()) {
            return "";
        }
        try (SsmClient ssm = SsmClient.builder()
                .endpointOverride(node.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        node.admin().accessKeyId(), node.admin().secretAccessKey())))
                .build()) {
            return ssm.listCommands(b -> b.commandId(waiting.get()))
                    .commands()
                    .get(0)
                    .statusAsString();
        }
    }
}
