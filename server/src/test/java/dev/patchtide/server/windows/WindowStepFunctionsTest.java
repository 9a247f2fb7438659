package dev.patchtide.server.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowExecutionTaskInvocationIdentity;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowTaskType;
import software.amazon.awssdk.services.ssm.model.SsmException;
import software.amazon.awssdk.services.ssm.model.Target;

/** STEP_FUNCTIONS window tasks: an execution per task execution, followed to its end, stopped at the cutoff. */
class WindowStepFunctionsTest {
    static final String ROLE = "arn:aws:iam::123456789012:role/windows";
    static final MutableClock clock = new MutableClock(Instant.parse("2026-04-01T00:00:00Z"));
    static TestServer server;
    static SsmClient ssm;
    static SfnClient sfn;

    @BeforeAll
    static void start() {
        server = TestServer.start(clock);
        ssm = server.ssm();
        sfn = SfnClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build();
    }

    @AfterAll
    static void stop() {
        sfn.close();
        server.close();
    }

    static String machine(String name, String definition) {
        return sfn.createStateMachine(b -> b.name(name).definition(definition).roleArn(ROLE))
                .stateMachineArn();
    }

    /** A daily window at 03:00 UTC, two hours long, cutoff one hour before its end, with one STEP_FUNCTIONS task. */
    static String window(String name, String machineArn, String input, String cutoffBehavior) {
        String id = ssm.createMaintenanceWindow(b -> b.name(name)
                        .schedule("cron(0 3 ? * * *)")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(false))
                .windowId();
        ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                .taskType(MaintenanceWindowTaskType.STEP_FUNCTIONS)
                .taskArn(machineArn)
                .serviceRoleArn(ROLE)
                .cutoffBehavior(cutoffBehavior)
                .taskInvocationParameters(p -> p.stepFunctions(s -> s.input(input))));
        return id;
    }

    /** Moves the clock to the next 03:00 UTC, when every window here fires. */
    static void nextRun() {
        Instant now = clock.instant();
        Instant next = now.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(3));
        if (!next.isAfter(now)) {
            next = next.plus(Duration.ofDays(1));
        }
        moveTo(next);
    }

    static void moveTo(Instant at) {
        clock.advance(Duration.between(clock.instant(), at));
        server.node().windows().loop().wake();
        server.node().workflows().effects().wake();
    }

    static String windowExecution(String windowId) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !ssm.describeMaintenanceWindowExecutions(b -> b.windowId(windowId))
                        .windowExecutions()
                        .isEmpty());
        return ssm.describeMaintenanceWindowExecutions(b -> b.windowId(windowId))
                .windowExecutions()
                .get(0)
                .windowExecutionId();
    }

    static String windowStatus(String windowExecutionId) {
        return ssm.getMaintenanceWindowExecution(b -> b.windowExecutionId(windowExecutionId))
                .statusAsString();
    }

    static List<MaintenanceWindowExecutionTaskInvocationIdentity> invocations(String windowExecutionId) {
        String taskId = ssm.describeMaintenanceWindowExecutionTasks(b -> b.windowExecutionId(windowExecutionId))
                .windowExecutionTaskIdentities()
                .get(0)
                .taskExecutionId();
        return ssm.describeMaintenanceWindowExecutionTaskInvocations(
                        b -> b.windowExecutionId(windowExecutionId).taskId(taskId))
                .windowExecutionTaskInvocationIdentities();
    }

    static MaintenanceWindowExecutionTaskInvocationIdentity awaitInvocation(String windowExecutionId, String status) {
        await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> invocations(windowExecutionId),
                        l -> l.size() == 1 && l.get(0).statusAsString().equals(status));
        return invocations(windowExecutionId).get(0);
    }

    @Test
    void taskStartsAnExecutionWithPseudoParametersAndEndsWithIt() throws Exception {
        String arn = machine(
                "window-held",
                """
                {"StartAt": "Hold", "States": {
                  "Hold": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
                  "Done": {"Type": "Pass", "End": true}}}
                """);
        String windowId = window(
                "sfn-task",
                arn,
                "{\"window\": \"{{WINDOW_ID}}\", \"run\": \"{{WINDOW_EXECUTION_ID}}\","
                        + " \"task\": \"{{TASK_EXECUTION_ID}}\", \"invocation\": \"{{INVOCATION_ID}}\"}",
                "CONTINUE_TASK");
        nextRun();
        String run = windowExecution(windowId);
        MaintenanceWindowExecutionTaskInvocationIdentity running = awaitInvocation(run, "IN_PROGRESS");
        assertThat(running.taskType()).isEqualTo(MaintenanceWindowTaskType.STEP_FUNCTIONS);
        String executionArn = running.executionId();
        assertThat(executionArn).startsWith(arn.replace(":stateMachine:", ":execution:") + ":");

        DescribeExecutionResponse execution = sfn.describeExecution(b -> b.executionArn(executionArn));
        JsonNode input = ApiJson.documents().readTree(execution.input());
        assertThat(input.path("window").asText()).isEqualTo(windowId);
        assertThat(input.path("run").asText()).isEqualTo(run);
        assertThat(input.path("task").asText()).isEqualTo(running.taskExecutionId());
        assertThat(input.path("invocation").asText()).isEqualTo(running.invocationId());
        assertThat(windowStatus(run)).isEqualTo("IN_PROGRESS");

        moveTo(clock.instant().plusSeconds(61));
        MaintenanceWindowExecutionTaskInvocationIdentity done = awaitInvocation(run, "SUCCESS");
        assertThat(done.executionId()).isEqualTo(executionArn);
        assertThat(done.endTime()).isNotNull();
        await().atMost(Duration.ofSeconds(20)).until(() -> windowStatus(run).equals("SUCCESS"));
    }

    @Test
    void failedExecutionFailsTheTaskAndAMissingMachineFailsItAtOnce() {
        String arn = machine(
                "window-broken",
                """
                {"StartAt": "Break", "States": {
                  "Break": {"Type": "Fail", "Error": "Patch.Broken", "Cause": "no mirror"}}}
                """);
        String broken = window("sfn-broken", arn, "{}", "CONTINUE_TASK");
        String missing = window(
                "sfn-missing", arn.replace(":stateMachine:window-broken", ":stateMachine:never-made"), "{}", null);
        nextRun();
        String run = windowExecution(broken);
        MaintenanceWindowExecutionTaskInvocationIdentity failed = awaitInvocation(run, "FAILED");
        assertThat(failed.statusDetails()).contains("Patch.Broken").contains("no mirror");
        await().atMost(Duration.ofSeconds(20)).until(() -> windowStatus(run).equals("FAILED"));

        String missingRun = windowExecution(missing);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> windowStatus(missingRun).equals("FAILED"));
        var task = ssm.describeMaintenanceWindowExecutionTasks(b -> b.windowExecutionId(missingRun))
                .windowExecutionTaskIdentities()
                .get(0);
        assertThat(task.statusAsString()).isEqualTo("FAILED");
        assertThat(task.statusDetails()).contains("State Machine Does Not Exist");
    }

    @Test
    void cancelTaskStopsTheExecutionAtTheCutoff() {
        String arn = machine(
                "window-long",
                """
                {"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 86400, "End": true}}}
                """);
        String windowId = window("sfn-cutoff", arn, "{}", "CANCEL_TASK");
        nextRun();
        String run = windowExecution(windowId);
        String executionArn = awaitInvocation(run, "IN_PROGRESS").executionId();

        moveTo(clock.instant().plus(Duration.ofHours(1))); // the cutoff
        awaitInvocation(run, "CANCELLED");
        assertThat(sfn.describeExecution(b -> b.executionArn(executionArn)).statusAsString())
                .isEqualTo("ABORTED");
        await().atMost(Duration.ofSeconds(20)).until(() -> windowStatus(run).equals("CANCELLED"));
    }

    @Test
    void cancellingTheWindowRunStopsTheExecution() {
        String arn = machine(
                "window-cancelled",
                """
                {"StartAt": "Long", "States": {"Long": {"Type": "Wait", "Seconds": 86400, "End": true}}}
                """);
        String windowId = window("sfn-cancel", arn, "{}", "CONTINUE_TASK");
        nextRun();
        String run = windowExecution(windowId);
        String executionArn = awaitInvocation(run, "IN_PROGRESS").executionId();

        ssm.cancelMaintenanceWindowExecution(b -> b.windowExecutionId(run));
        awaitInvocation(run, "CANCELLED");
        assertThat(sfn.describeExecution(b -> b.executionArn(executionArn)).statusAsString())
                .isEqualTo("ABORTED");
        await().atMost(Duration.ofSeconds(20)).until(() -> windowStatus(run).equals("CANCELLED"));
    }

    @Test
    void registrationRefusesTargetsAndArnsThatAreNotStateMachines() {
        String id = ssm.createMaintenanceWindow(b -> b.name("sfn-refused")
                        .schedule("cron(0 3 ? * * *)")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(true))
                .windowId();
        assertThatThrownBy(() -> ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                        .taskType(MaintenanceWindowTaskType.STEP_FUNCTIONS)
                        .taskArn("AWS-RunShellScript")))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException"));
        assertThatThrownBy(() -> ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                        .taskType(MaintenanceWindowTaskType.STEP_FUNCTIONS)
                        .taskArn("arn:aws:states:us-east-1:123456789012:stateMachine:x")
                        .targets(Target.builder()
                                .key("InstanceIds")
                                .values("mi-0123456789abcdef0")
                                .build())))
                .isInstanceOfSatisfying(
                        SsmException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("FeatureNotAvailableException"));
    }
}
