package dev.patchtide.server.windows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowTaskType;
import software.amazon.awssdk.services.ssm.model.Target;

/**
 * The scheduler on two nodes over one database: a Europe/Paris cron window across the spring-forward change
 * fires at the right instants, once; the cutoff stops new tasks and CANCEL_TASK cancels running ones; a run
 * whose cutoff passed during an outage is not fired late; a window still running skips its next run.
 */
class WindowSchedulerTest {
    // Friday 27 March 2026, noon UTC; Paris springs forward on Sunday the 29th at 02:00.
    private static final Instant START = Instant.parse("2026-03-27T12:00:00Z");
    private final MutableClock clock = new MutableClock(START);
    private WindowNodes nodes;
    private SsmClient ssm;

    @BeforeEach
    void start() {
        nodes = new WindowNodes(clock);
        ssm = nodes.server.ssm();
    }

    @AfterEach
    void stop() {
        nodes.close();
    }

    private String window(String name, String schedule, int duration, int cutoff) {
        return ssm.createMaintenanceWindow(b -> b.name(name)
                        .schedule(schedule)
                        .scheduleTimezone("Europe/Paris")
                        .duration(duration)
                        .cutoff(cutoff)
                        .allowUnassociatedTargets(true))
                .windowId();
    }

    private void task(String windowId, String document, int priority, String cutoffBehavior) {
        ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(windowId)
                .taskType(MaintenanceWindowTaskType.RUN_COMMAND)
                .taskArn(document)
                .targets(Target.builder()
                        .key("InstanceIds")
                        .values("mi-0123456789abcdef0")
                        .build())
                .maxConcurrency("2")
                .maxErrors("1")
                .priority(priority)
                .cutoffBehavior(cutoffBehavior)
                .taskInvocationParameters(p -> p.runCommand(rc -> rc.comment("from " + windowId))));
    }

    private List<String> executions(String windowId) {
        return ssm.describeMaintenanceWindowExecutions(b -> b.windowId(windowId)).windowExecutions().stream()
                .map(e -> e.windowExecutionId())
                .toList();
    }

    private String onlyExecution(String windowId) {
        List<String> all = executions(windowId);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    /** The bus's aws.ssm events about a window, as "detail-type status", in the order they were published. */
    private List<String> events(String windowId) {
        return nodes.jdbi()
                .withHandle(h -> h
                        .createQuery("SELECT envelope FROM events ORDER BY received_at, event_id")
                        .mapTo(String.class)
                        .list()
                        .stream()
                        .map(text -> {
                            try {
                                return ApiJson.documents().readTree(text);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        })
                        .filter(e -> e.path("source").asText().equals("aws.ssm")
                                && e.path("detail").path("window-id").asText().equals(windowId))
                        .peek(e -> assertThat(e.path("resources").get(0).asText())
                                .isEqualTo("arn:aws:ssm:us-east-1:"
                                        + e.path("account").asText() + ":maintenancewindow/" + windowId))
                        .map(e -> e.path("detail-type").asText() + " "
                                + e.path("detail").path("status").asText())
                        .toList());
    }

    private void moveTo(String instant) {
        Instant to = Instant.parse(instant);
        clock.advance(Duration.between(clock.instant(), to));
    }

    /** Both nodes run a round at the same moment, as two servers polling one database would. */
    private void raceRounds() {
        CyclicBarrier together = new CyclicBarrier(2);
        List<CompletableFuture<Boolean>> rounds = nodes.nodes.stream()
                .map(n -> CompletableFuture.supplyAsync(() -> {
                    try {
                        together.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return n.round();
                }))
                .toList();
        rounds.forEach(CompletableFuture::join);
    }

    @Test
    void aParisCronWindowFiresAtTheRightInstantsOnceAcrossTwoNodes() {
        String id = window("paris", "cron(30 2 ? * * *)", 2, 1);
        task(id, "AWS-RunShellScript", 1, "CONTINUE_TASK");

        moveTo("2026-03-28T01:29:59Z");
        raceRounds();
        assertThat(executions(id)).isEmpty();

        // 02:30 in Paris (winter time) on Saturday 28 March.
        moveTo("2026-03-28T01:30:00Z");
        raceRounds();
        String first = onlyExecution(id);
        nodes.settle();
        assertThat(nodes.sent).hasSize(1);
        WindowNodes.Sent sent = nodes.lastSent();
        assertThat(sent.spec().documentName()).isEqualTo("AWS-RunShellScript");
        assertThat(sent.spec().instanceIds()).containsExactly("mi-0123456789abcdef0");
        assertThat(sent.spec().maxConcurrency()).isEqualTo("2");
        assertThat(sent.spec().maxErrors()).isEqualTo("1");
        assertThat(sent.spec().comment()).contains("from " + id);
        assertThat(nodes.executionStatus(first)).isEqualTo("IN_PROGRESS");

        nodes.report(sent.commandId(), "Success", "mi-0123456789abcdef0");
        nodes.settle();
        assertThat(nodes.executionStatus(first)).isEqualTo("SUCCESS");
        var tasks = ssm.describeMaintenanceWindowExecutionTasks(b -> b.windowExecutionId(first))
                .windowExecutionTaskIdentities();
        assertThat(tasks).singleElement().satisfies(t -> assertThat(t.statusAsString())
                .isEqualTo("SUCCESS"));
        var invocations = ssm.describeMaintenanceWindowExecutionTaskInvocations(
                        b -> b.windowExecutionId(first).taskId(tasks.get(0).taskExecutionId()))
                .windowExecutionTaskInvocationIdentities();
        assertThat(invocations).singleElement().satisfies(i -> {
            assertThat(i.executionId()).isEqualTo(sent.commandId());
            assertThat(i.statusAsString()).isEqualTo("SUCCESS");
        });

        var invocation = ssm.getMaintenanceWindowExecutionTaskInvocation(b -> b.windowExecutionId(first)
                .taskId(tasks.get(0).taskExecutionId())
                .invocationId(invocations.get(0).invocationId()));
        assertThat(invocation.taskTypeAsString()).isEqualTo("RUN_COMMAND");
        assertThat(invocation.parameters()).contains("mi-0123456789abcdef0");
        var executionTask = ssm.getMaintenanceWindowExecutionTask(
                b -> b.windowExecutionId(first).taskId(tasks.get(0).taskExecutionId()));
        assertThat(executionTask.taskArn()).isEqualTo("AWS-RunShellScript");
        assertThat(executionTask.maxConcurrency()).isEqualTo("2");
        assertThat(executionTask.statusAsString()).isEqualTo("SUCCESS");
        assertThat(events(id))
                .contains(
                        "Maintenance Window State-change Notification ENABLED",
                        "Maintenance Window Execution State-change Notification PENDING",
                        "Maintenance Window Execution State-change Notification IN_PROGRESS",
                        "Maintenance Window Task Execution State-change Notification IN_PROGRESS",
                        "Maintenance Window Task Target Invocation State-change Notification SUCCESS",
                        "Maintenance Window Task Execution State-change Notification SUCCESS",
                        "Maintenance Window Execution State-change Notification SUCCESS");

        // Sunday 29 March has no 02:30 in Paris: the next run is Monday 02:30 summer time, 00:30 UTC.
        assertThat(ssm.getMaintenanceWindow(b -> b.windowId(id)).nextExecutionTime())
                .isEqualTo("2026-03-30T02:30+02:00");
        moveTo("2026-03-29T01:30:00Z");
        raceRounds();
        moveTo("2026-03-30T00:29:59Z");
        raceRounds();
        assertThat(executions(id)).hasSize(1);
        moveTo("2026-03-30T00:30:00Z");
        raceRounds();
        assertThat(executions(id)).hasSize(2);
        nodes.settle();
        assertThat(nodes.sent).hasSize(2);
    }

    @Test
    void theCutoffStopsNewTasksAndCancelTaskCancelsRunningOnes() {
        String id = window("cutoff", "cron(0 22 ? * * *)", 2, 1);
        task(id, "AWS-RunShellScript", 1, "CANCEL_TASK");
        task(id, "AWS-RunPatchBaseline", 2, "CONTINUE_TASK");
        moveTo("2026-03-27T21:00:00Z");
        nodes.settle();
        String execution = onlyExecution(id);
        assertThat(nodes.sent).extracting(s -> s.spec().documentName()).containsExactly("AWS-RunShellScript");

        // The cutoff is one hour before the end of the two-hour window: 22:00 Paris, 21:00 UTC, + 1 h.
        moveTo("2026-03-27T22:00:00Z");
        nodes.settle();
        assertThat(nodes.cancelled).containsExactly(nodes.lastSent().commandId());
        assertThat(nodes.taskStatuses(execution)).containsExactly("CANCELLING", "TIMED_OUT");
        nodes.report(nodes.lastSent().commandId(), "Cancelled", "mi-0123456789abcdef0");
        nodes.settle();
        assertThat(nodes.taskStatuses(execution)).containsExactly("CANCELLED", "TIMED_OUT");
        assertThat(nodes.executionStatus(execution)).isEqualTo("TIMED_OUT");
        // The priority-2 task never started.
        assertThat(nodes.sent).hasSize(1);
    }

    @Test
    void continueTaskLetsTheRunningTaskFinishAfterTheCutoff() {
        String id = window("continue", "cron(0 22 ? * * *)", 2, 1);
        task(id, "AWS-RunShellScript", 1, "CONTINUE_TASK");
        moveTo("2026-03-27T21:00:00Z");
        nodes.settle();
        String execution = onlyExecution(id);
        moveTo("2026-03-27T22:30:00Z");
        nodes.settle();
        assertThat(nodes.cancelled).isEmpty();
        assertThat(nodes.taskStatuses(execution)).containsExactly("IN_PROGRESS");
        nodes.report(nodes.lastSent().commandId(), "Success", "mi-0123456789abcdef0");
        nodes.settle();
        assertThat(nodes.executionStatus(execution)).isEqualTo("SUCCESS");
    }

    @Test
    void anOutagePastTheCutoffFiresNothingLateAndOneWithinItFiresOnce() {
        String id = window("outage", "cron(0 22 ? * * *)", 3, 1);
        task(id, "AWS-RunShellScript", 1, "CONTINUE_TASK");
        // Due 21:00 UTC on the 27th; cutoff 23:00 UTC. The servers come back at 23:30.
        moveTo("2026-03-27T23:30:00Z");
        nodes.settle();
        assertThat(executions(id)).isEmpty();
        assertThat(nodes.sent).isEmpty();
        assertThat(ssm.getMaintenanceWindow(b -> b.windowId(id)).nextExecutionTime())
                .isEqualTo("2026-03-28T22:00+01:00");
        // Back within the cutoff on the 28th: the run fires, late but once.
        moveTo("2026-03-28T22:10:00Z");
        nodes.settle();
        assertThat(executions(id)).hasSize(1);
        assertThat(nodes.sent).hasSize(1);
    }

    @Test
    void aWindowStillRunningSkipsItsNextRun() {
        String id = window("overlap", "rate(1 hour)", 3, 1);
        task(id, "AWS-RunShellScript", 1, "CONTINUE_TASK");
        moveTo("2026-03-27T13:00:00Z");
        nodes.settle();
        String running = onlyExecution(id);
        moveTo("2026-03-27T14:00:00Z");
        nodes.settle();
        List<String> all = executions(id);
        assertThat(all).hasSize(2);
        String skipped =
                all.stream().filter(e -> !e.equals(running)).findFirst().orElseThrow();
        assertThat(nodes.executionStatus(skipped)).isEqualTo("SKIPPED_OVERLAPPING");
        assertThat(nodes.sent).hasSize(1);
    }

    @Test
    void aCommandSendCommandWouldRefuseFailsItsTaskWithTheReason() {
        String id = window("refused", "cron(0 22 ? * * *)", 2, 1);
        task(id, WindowNodes.REFUSED_DOCUMENT, 1, "CONTINUE_TASK");
        moveTo("2026-03-27T21:00:00Z");
        nodes.settle();
        String execution = onlyExecution(id);
        assertThat(nodes.executionStatus(execution)).isEqualTo("FAILED");
        var task = ssm.describeMaintenanceWindowExecutionTasks(b -> b.windowExecutionId(execution))
                .windowExecutionTaskIdentities()
                .get(0);
        assertThat(task.statusAsString()).isEqualTo("FAILED");
        assertThat(task.statusDetails()).contains(WindowNodes.REFUSED_DOCUMENT);
    }

    @Test
    void aCommandThatEndsWhileBeingSentStillEndsItsTask() {
        String id = window("at-once", "cron(0 22 ? * * *)", 2, 1);
        task(id, WindowNodes.ENDS_AT_ONCE, 1, "CONTINUE_TASK");
        moveTo("2026-03-27T21:00:00Z");
        nodes.settle();
        String execution = onlyExecution(id);
        assertThat(nodes.taskStatuses(execution)).containsExactly("FAILED");
        assertThat(nodes.executionStatus(execution)).isEqualTo("FAILED");
    }

    @Test
    void cancellingAnExecutionCancelsItsRunningTaskAndSkipsTheRest() {
        String id = window("cancel", "cron(0 22 ? * * *)", 2, 1);
        task(id, "AWS-RunShellScript", 1, "CONTINUE_TASK");
        task(id, "AWS-RunPatchBaseline", 2, "CONTINUE_TASK");
        moveTo("2026-03-27T21:00:00Z");
        nodes.settle();
        String execution = onlyExecution(id);
        ssm.cancelMaintenanceWindowExecution(b -> b.windowExecutionId(execution));
        assertThat(nodes.executionStatus(execution)).isEqualTo("CANCELLING");
        nodes.settle();
        assertThat(nodes.cancelled).containsExactly(nodes.lastSent().commandId());
        nodes.report(nodes.lastSent().commandId(), "Cancelled", "mi-0123456789abcdef0");
        nodes.settle();
        assertThat(nodes.taskStatuses(execution)).containsExactly("CANCELLED", "CANCELLED");
        var got = ssm.getMaintenanceWindowExecution(b -> b.windowExecutionId(execution));
        assertThat(got.statusAsString()).isEqualTo("CANCELLED");
        assertThat(got.taskIds()).hasSize(2);
        assertThat(got.endTime()).isEqualTo(clock.instant());
    }
}
