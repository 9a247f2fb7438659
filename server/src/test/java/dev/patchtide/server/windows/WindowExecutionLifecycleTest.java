package dev.patchtide.server.windows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.lifecycle.Lifecycle;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.windows.WindowLifecycles.ExecutionState;
import dev.patchtide.server.windows.WindowLifecycles.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.MaintenanceWindowTaskType;
import software.amazon.awssdk.services.ssm.model.Target;

/**
 * Drives window executions and their tasks through every move of their transition tables, on the real
 * scheduler and database, and fails on a move no scenario reached.
 */
class WindowExecutionLifecycleTest {
    private static final String INSTANCE = "mi-0123456789abcdef0";
    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
    private static WindowNodes nodes;
    private static SsmClient ssm;

    @BeforeAll
    static void start() {
        nodes = new WindowNodes(CLOCK);
        ssm = nodes.server.ssm();
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    /** A window due in one hour (UTC), two hours long with a one-hour cutoff, with the given tasks. */
    private static String window(String name, Task... tasks) {
        String id = ssm.createMaintenanceWindow(b -> b.name(name)
                        .schedule("rate(1 hour)")
                        .duration(2)
                        .cutoff(1)
                        .allowUnassociatedTargets(true))
                .windowId();
        for (Task t : tasks) {
            ssm.registerTaskWithMaintenanceWindow(b -> b.windowId(id)
                    .taskType(MaintenanceWindowTaskType.RUN_COMMAND)
                    .taskArn(t.document())
                    .targets(
                            Target.builder().key("InstanceIds").values(INSTANCE).build())
                    .maxConcurrency("1")
                    .maxErrors("0")
                    .priority(t.priority())
                    .cutoffBehavior(t.cutoffBehavior())
                    .taskInvocationParameters(p -> p.runCommand(rc -> rc.comment(id))));
        }
        return id;
    }

    private record Task(String document, int priority, String cutoffBehavior) {}

    private static Task task(String document, int priority) {
        return new Task(document, priority, "CONTINUE_TASK");
    }

    private static String execution(String windowId) {
        var all = ssm.describeMaintenanceWindowExecutions(b -> b.windowId(windowId))
                .windowExecutions();
        assertThat(all).hasSize(1);
        return all.get(0).windowExecutionId();
    }

    private static void report(String windowId, String document, String status) {
        nodes.report(nodes.commandOf(windowId, document), status, INSTANCE);
    }

    /** Disables a window once it ran, so the next hours do not fire it again. */
    private static void disable(String windowId) {
        ssm.updateMaintenanceWindow(b -> b.windowId(windowId).enabled(false));
    }

    @Test
    void everyTransitionIsExercised() {
        try (Lifecycle.Recording<ExecutionState> executions = WindowLifecycles.EXECUTION.record();
                Lifecycle.Recording<TaskState> tasks = WindowLifecycles.TASK.record()) {
            String success = window("succeeds", task("A", 1));
            String failing = window("failing", task("A", 1), task(WindowNodes.REFUSED_DOCUMENT, 2));
            String ends = window("ends", task("X", 1), task("Y", 1), task("Z", 1));
            String cancelled = window("cancelled", task("X", 1), task("Y", 1), task("Z", 1));
            String cutoff = window("cutoff", task("A", 1), task("B", 2));
            String cancelAtCutoff = window("cancel-at-cutoff", new Task("A", 1, "CANCEL_TASK"));
            CLOCK.advance(Duration.ofHours(1));
            nodes.settle();
            List.of(success, failing, ends, cancelled, cutoff, cancelAtCutoff)
                    .forEach(WindowExecutionLifecycleTest::disable);

            report(success, "A", "Success");
            report(failing, "A", "Success");
            report(ends, "X", "Failed");
            report(ends, "Y", "TimedOut");
            report(ends, "Z", "Cancelled");
            ssm.cancelMaintenanceWindowExecution(b -> b.windowExecutionId(execution(cancelled)));
            nodes.settle();
            report(cancelled, "X", "Success");
            report(cancelled, "Y", "Failed");
            report(cancelled, "Z", "TimedOut");
            nodes.settle();
            assertThat(nodes.executionStatus(execution(success))).isEqualTo("SUCCESS");
            assertThat(nodes.executionStatus(execution(failing))).isEqualTo("FAILED");
            assertThat(nodes.executionStatus(execution(ends))).isEqualTo("FAILED");
            assertThat(nodes.taskStatuses(execution(cancelled)))
                    .containsExactlyInAnyOrder("SUCCESS", "FAILED", "TIMED_OUT");
            assertThat(nodes.executionStatus(execution(cancelled))).isEqualTo("CANCELLED");

            CLOCK.advance(Duration.ofHours(1));
            nodes.settle();
            report(cutoff, "A", "Success");
            report(cancelAtCutoff, "A", "Cancelled");
            nodes.settle();
            assertThat(nodes.taskStatuses(execution(cutoff))).containsExactly("SUCCESS", "TIMED_OUT");
            assertThat(nodes.executionStatus(execution(cutoff))).isEqualTo("TIMED_OUT");
            assertThat(nodes.executionStatus(execution(cancelAtCutoff))).isEqualTo("CANCELLED");

            // Cancelled before its tasks started: caught between firing and the first round that moves it.
            String early = window("early", task("A", 1));
            CLOCK.advance(Duration.ofHours(1));
            nodes.nodes.get(0).fireDue();
            disable(early);
            assertThat(nodes.executionStatus(execution(early))).isEqualTo("PENDING");
            ssm.cancelMaintenanceWindowExecution(b -> b.windowExecutionId(execution(early)));
            nodes.settle();
            assertThat(nodes.taskStatuses(execution(early))).containsExactly("CANCELLED");
            assertThat(nodes.executionStatus(execution(early))).isEqualTo("CANCELLED");

            assertThat(executions.missing())
                    .as("window execution moves never taken")
                    .isEmpty();
            assertThat(tasks.missing()).as("task execution moves never taken").isEmpty();
        }
    }
}
