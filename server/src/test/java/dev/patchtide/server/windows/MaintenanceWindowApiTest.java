package dev.patchtide.server.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.GetMaintenanceWindowResponse;
import software.amazon.awssdk.services.ssm.model.GetMaintenanceWindowTaskResponse;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowFilter;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowTaskType;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.SsmException;
import software.amazon.awssdk.services.ssm.model.Tag;
import software.amazon.awssdk.services.ssm.model.Target;

/** The window, target and task actions through the AWS SDK, over real HTTP and PostgreSQL. */
class MaintenanceWindowApiTest {
    // Friday 27 March 2026, 12:00 UTC: Paris switches to summer time on Sunday the 29th.
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-03-27T12:00:00Z"));
    private static TestServer server;
    private static SsmClient ssm;
    private static FakeAgent agent;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(CLOCK);
        ssm = server.ssm();
        CreateActivationResponse activation =
                ssm.createActivation(b -> b.iamRole("r").registrationLimit(5));
        agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String window(String name) {
        return ssm.createMaintenanceWindow(b -> b.name(name)
                        .schedule("cron(30 2 ? * * *)")
                        .scheduleTimezone("Europe/Paris")
                        .duration(3)
                        .cutoff(1)
                        .allowUnassociatedTargets(false))
                .windowId();
    }

    private static MaintenanceWindowFilter filter(String key, String value) {
        return MaintenanceWindowFilter.builder().key(key).values(value).build();
    }

    private static void assertError(Executable call, String code, String... words) {
        assertThatThrownBy(call::execute).isInstanceOfSatisfying(SsmException.class, e -> {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
            assertThat(e.awsErrorDetails().errorMessage()).contains(words);
        });
    }

    @Test
    void createGetUpdateDescribeDelete() {
        String id = ssm.createMaintenanceWindow(b -> b.name("paris-nightly")
                        .description("nightly patching")
                        .schedule("cron(30 2 ? * * *)")
                        .scheduleTimezone("Europe/Paris")
                        .duration(3)
                        .cutoff(1)
                        .allowUnassociatedTargets(true)
                        .tags(Tag.builder().key("team").value("ops").build()))
                .windowId();
        assertThat(id).matches("^mw-[0-9a-f]{17}$");

        GetMaintenanceWindowResponse got = ssm.getMaintenanceWindow(b -> b.windowId(id));
        assertThat(got.name()).isEqualTo("paris-nightly");
        assertThat(got.enabled()).isTrue();
        assertThat(got.allowUnassociatedTargets()).isTrue();
        assertThat(got.duration()).isEqualTo(3);
        // 28 March 02:30 is still winter time; the 29th has no 02:30 (spring forward).
        assertThat(got.nextExecutionTime()).isEqualTo("2026-03-28T02:30+01:00");
        assertThat(got.createdDate()).isEqualTo(CLOCK.instant());
        assertThat(ssm.describeMaintenanceWindowSchedule(b -> b.windowId(id).maxResults(3))
                        .scheduledWindowExecutions())
                .extracting(e -> e.executionTime())
                .containsExactly("2026-03-28T02:30+01:00", "2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00");
        assertThat(ssm.listTagsForResource(b -> b.resourceType(ResourceTypeForTagging.MAINTENANCE_WINDOW)
                                .resourceId(id))
                        .tagList())
                .extracting(Tag::key)
                .containsExactly("team");
        ssm.addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MAINTENANCE_WINDOW)
                .resourceId(id)
                .tags(Tag.builder().key("env").value("prod").build()));

        var updated =
                ssm.updateMaintenanceWindow(b -> b.windowId(id).enabled(false).cutoff(2));
        assertThat(updated.enabled()).isFalse();
        assertThat(updated.cutoff()).isEqualTo(2);
        assertThat(updated.description()).isEqualTo("nightly patching");
        assertThat(ssm.getMaintenanceWindow(b -> b.windowId(id)).nextExecutionTime())
                .isNull();
        assertThat(ssm.describeMaintenanceWindows(b -> b.filters(filter("Name", "paris-nightly")))
                        .windowIdentities())
                .singleElement()
                .satisfies(w -> {
                    assertThat(w.windowId()).isEqualTo(id);
                    assertThat(w.enabled()).isFalse();
                    assertThat(w.scheduleTimezone()).isEqualTo("Europe/Paris");
                });
        assertThat(ssm.describeMaintenanceWindows(b -> b.filters(filter("Enabled", "false")))
                        .windowIdentities())
                .extracting(w -> w.windowId())
                .contains(id);

        // Replace clears what is not given again.
        var replaced = ssm.updateMaintenanceWindow(b -> b.windowId(id)
                .replace(true)
                .name("paris-nightly")
                .schedule("rate(4 hours)")
                .duration(2)
                .cutoff(0)
                .allowUnassociatedTargets(false));
        assertThat(replaced.description()).isNull();
        assertThat(replaced.scheduleTimezone()).isNull();
        assertThat(replaced.enabled()).isTrue();
        assertThat(ssm.getMaintenanceWindow(b -> b.windowId(id)).nextExecutionTime())
                .isEqualTo("2026-03-27T16:00Z");

        ssm.deleteMaintenanceWindow(b -> b.windowId(id));
        assertError(() -> ssm.getMaintenanceWindow(b -> b.windowId(id)), "DoesNotExistException", id);
        ssm.deleteMaintenanceWindow(b -> b.windowId(id));
    }

    @Test
    void badInputNamesTheMember() {
        assertError(
                () -> ssm.createMaintenanceWindow(b -> b.name("x y")
                        .schedule("rate(1 day)")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(false)),
                "ValidationException",
                "'name'");
        assertError(
                () -> ssm.createMaintenanceWindow(b -> b.name("bad-rate")
                        .schedule("rate(5 minutes)")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(false)),
                "ValidationException",
                "'schedule'");
        assertError(
                () -> ssm.createMaintenanceWindow(b -> b.name("bad-cutoff")
                        .schedule("rate(1 day)")
                        .duration(2)
                        .cutoff(2)
                        .allowUnassociatedTargets(false)),
                "ValidationException",
                "'cutoff'");
        assertError(
                () -> ssm.createMaintenanceWindow(b -> b.name("bad-zone")
                        .schedule("cron(0 2 ? * SUN *)")
                        .scheduleTimezone("Europe/Atlantis")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(false)),
                "ValidationException",
                "'scheduleTimezone'");
        assertError(
                () -> ssm.createMaintenanceWindow(b -> b.name("bad-offset")
                        .schedule("rate(1 day)")
                        .scheduleOffset(2)
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(false)),
                "ValidationException",
                "'scheduleOffset'");
        assertError(() -> ssm.getMaintenanceWindow(b -> b.windowId("mw-nope")), "ValidationException", "'windowId'");
        assertError(
                () -> ssm.describeMaintenanceWindows(b -> b.filters(filter("Colour", "red"))),
                "ValidationException",
                "Colour");
    }

    @Test
    void aClientTokenMakesCreationIdempotent() {
        String first = ssm.createMaintenanceWindow(b -> b.name("tokened")
                        .schedule("rate(1 day)")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(false)
                        .clientToken("t-1"))
                .windowId();
        String again = ssm.createMaintenanceWindow(b -> b.name("tokened")
                        .schedule("rate(1 day)")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(false)
                        .clientToken("t-1"))
                .windowId();
        assertThat(again).isEqualTo(first);
        assertError(
                () -> ssm.createMaintenanceWindow(b -> b.name("tokened")
                        .schedule("rate(2 days)")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(false)
                        .clientToken("t-1")),
                "IdempotentParameterMismatch",
                "t-1");
    }

    @Test
    void targetsAndTasks() throws Exception {
        String id = window("with-tasks");
        String targetId = ssm.registerTargetWithMaintenanceWindow(b -> b.windowId(id)
                        .resourceType("INSTANCE")
                        .targets(Target.builder()
                                .key("InstanceIds")
                                .values(agent.instanceId())
                                .build())
                        .ownerInformation("team-a")
                        .name("web"))
                .windowTargetId();
        assertThat(ssm.describeMaintenanceWindowTargets(b -> b.windowId(id)).targets())
                .singleElement()
                .satisfies(t -> {
                    assertThat(t.windowTargetId()).isEqualTo(targetId);
                    assertThat(t.ownerInformation()).isEqualTo("team-a");
                    assertThat(t.targets().get(0).values()).containsExactly(agent.instanceId());
                });
        assertThat(ssm.describeMaintenanceWindowsForTarget(b -> b.resourceType("INSTANCE")
                                .targets(Target.builder()
                                        .key("InstanceIds")
                                        .values(agent.instanceId())
                                        .build()))
                        .windowIdentities())
                .extracting(w -> w.windowId())
                .containsExactly(id);
        var updatedTarget = ssm.updateMaintenanceWindowTarget(
                b -> b.windowId(id).windowTargetId(targetId).ownerInformation("team-b"));
        assertThat(updatedTarget.name()).isEqualTo("web");
        assertThat(updatedTarget.ownerInformation()).isEqualTo("team-b");

        String topic = server.adminClient()
                .call("Patchtide.CreateTopic", Map.of("Name", "window-tasks"))
                .path("TopicArn")
                .asText();
        String taskId = ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                        .taskType(MaintenanceWindowTaskType.RUN_COMMAND)
                        .taskArn("AWS-RunPatchBaseline")
                        .targets(Target.builder()
                                .key("WindowTargetIds")
                                .values(targetId)
                                .build())
                        .maxConcurrency("10%")
                        .maxErrors("1")
                        .priority(2)
                        .cutoffBehavior("CANCEL_TASK")
                        .taskInvocationParameters(
                                p -> p.runCommand(rc -> rc.parameters(Map.of("Operation", List.of("Install")))
                                        .timeoutSeconds(600)
                                        .notificationConfig(n -> n.notificationArn(topic)
                                                .notificationEventsWithStrings("Success", "Failed")
                                                .notificationType("Command")))))
                .windowTaskId();
        GetMaintenanceWindowTaskResponse task =
                ssm.getMaintenanceWindowTask(b -> b.windowId(id).windowTaskId(taskId));
        assertThat(task.taskArn()).isEqualTo("AWS-RunPatchBaseline");
        assertThat(task.priority()).isEqualTo(2);
        assertThat(task.cutoffBehaviorAsString()).isEqualTo("CANCEL_TASK");
        assertThat(task.taskInvocationParameters().runCommand().parameters())
                .containsEntry("Operation", List.of("Install"));
        assertThat(task.taskInvocationParameters()
                        .runCommand()
                        .notificationConfig()
                        .notificationEventsAsStrings())
                .containsExactly("Success", "Failed");
        assertThat(ssm.describeMaintenanceWindowTasks(b -> b.windowId(id).filters(filter("Priority", "2")))
                        .tasks())
                .singleElement()
                .satisfies(t -> assertThat(t.typeAsString()).isEqualTo("RUN_COMMAND"));
        var updatedTask = ssm.updateMaintenanceWindowTask(
                b -> b.windowId(id).windowTaskId(taskId).priority(0));
        assertThat(updatedTask.priority()).isZero();
        assertThat(updatedTask.maxConcurrency()).isEqualTo("10%");

        assertError(
                () -> ssm.deregisterTargetFromMaintenanceWindow(
                        b -> b.windowId(id).windowTargetId(targetId).safe(true)),
                "TargetInUseException",
                taskId);
        assertError(
                () -> ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                        .taskType(MaintenanceWindowTaskType.STEP_FUNCTIONS)
                        .taskArn("arn:aws:states:us-east-1:1:stateMachine:x")
                        .targets(Target.builder()
                                .key("WindowTargetIds")
                                .values(targetId)
                                .build())
                        .maxConcurrency("1")
                        .maxErrors("0")),
                "FeatureNotAvailableException",
                "STEP_FUNCTIONS");
        assertError(
                () -> ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                        .taskType(MaintenanceWindowTaskType.RUN_COMMAND)
                        .taskArn("AWS-RunShellScript")
                        .targets(Target.builder()
                                .key("InstanceIds")
                                .values(agent.instanceId())
                                .build())
                        .maxConcurrency("1")
                        .maxErrors("0")),
                "ValidationException",
                "unassociated");
        assertError(
                () -> ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                        .taskType(MaintenanceWindowTaskType.RUN_COMMAND)
                        .taskArn("AWS-RunShellScript")
                        .targets(Target.builder()
                                .key("WindowTargetIds")
                                .values("00000000-0000-0000-0000-000000000000")
                                .build())
                        .maxConcurrency("1")
                        .maxErrors("0")),
                "DoesNotExistException",
                "00000000-0000-0000-0000-000000000000");
        assertError(
                () -> ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                        .taskType(MaintenanceWindowTaskType.RUN_COMMAND)
                        .taskArn("AWS-RunShellScript")
                        .targets(Target.builder()
                                .key("WindowTargetIds")
                                .values(targetId)
                                .build())
                        .maxErrors("0")),
                "ValidationException",
                "'maxConcurrency'");
        assertError(
                () -> ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                        .taskType(MaintenanceWindowTaskType.RUN_COMMAND)
                        .taskArn("AWS-RunShellScript")
                        .targets(Target.builder()
                                .key("WindowTargetIds")
                                .values(targetId)
                                .build())
                        .maxConcurrency("0")
                        .maxErrors("0")),
                "ValidationException",
                "'maxConcurrency'");

        ssm.deregisterTaskFromMaintenanceWindow(b -> b.windowId(id).windowTaskId(taskId));
        assertError(
                () -> ssm.getMaintenanceWindowTask(b -> b.windowId(id).windowTaskId(taskId)),
                "DoesNotExistException",
                taskId);
        ssm.deregisterTargetFromMaintenanceWindow(
                b -> b.windowId(id).windowTargetId(targetId).safe(true));
        assertThat(ssm.describeMaintenanceWindowTargets(b -> b.windowId(id)).targets())
                .isEmpty();
    }
}
