package dev.patchtide.server.windows;

import dev.patchtide.server.windows.WindowLifecycles.ExecutionState;
import dev.patchtide.server.windows.WindowLifecycles.TaskState;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Moves open window executions along: starts their tasks in priority order (tasks of one priority together,
 * the next priority once they all ended), stops starting tasks at the cutoff (cancelling running ones whose
 * CutoffBehavior is CANCEL_TASK), carries out CancelMaintenanceWindowExecution, and ends the execution once
 * its tasks ended. Each execution is claimed with {@code FOR UPDATE SKIP LOCKED}: one node moves it at a time.
 */
final class ExecutionRunner {
    /** Every open execution fits one pass: a window has at most one open (a later run is SKIPPED_OVERLAPPING). */
    private static final int BATCH = WindowApi.MAX_WINDOWS;

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final WindowEvents events;
    private final TaskLauncher tasks;

    ExecutionRunner(Jdbi jdbi, InstantSource clock, WindowEvents events, TaskLauncher tasks) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
        this.tasks = tasks;
    }

    record Execution(String id, String windowId, ExecutionState state, Instant cutoffAt, Instant startTime) {}

    record TaskRow(String id, int priority, TaskState state, String definition, String commandId, Instant start) {}

    /** One pass over the open executions; returns how many changed. */
    int advance() {
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            List<Execution> open = h.createQuery("SELECT window_execution_id, window_id, status, cutoff_at, start_time"
                            + " FROM maintenance_window_executions WHERE status IN ('PENDING', 'IN_PROGRESS',"
                            + " 'CANCELLING') ORDER BY start_time LIMIT :batch FOR UPDATE SKIP LOCKED")
                    .bind("batch", BATCH)
                    .map((rs, ctx) -> new Execution(
                            rs.getString("window_execution_id"),
                            rs.getString("window_id"),
                            ExecutionState.valueOf(rs.getString("status")),
                            rs.getTimestamp("cutoff_at").toInstant(),
                            rs.getTimestamp("start_time").toInstant()))
                    .list();
            int changed = 0;
            for (Execution e : open) {
                if (step(h, e, now)) {
                    changed++;
                }
            }
            return changed;
        });
    }

    static List<TaskRow> tasksOf(Handle h, String executionId) {
        return h.createQuery("SELECT task_execution_id, priority, status, definition::text AS definition, command_id,"
                        + " start_time FROM maintenance_window_task_executions WHERE window_execution_id = :id::uuid"
                        + " ORDER BY priority, task_execution_id")
                .bind("id", executionId)
                .map((rs, ctx) -> new TaskRow(
                        rs.getString("task_execution_id"),
                        rs.getInt("priority"),
                        TaskState.valueOf(rs.getString("status")),
                        rs.getString("definition"),
                        rs.getString("command_id"),
                        rs.getTimestamp("start_time") == null
                                ? null
                                : rs.getTimestamp("start_time").toInstant()))
                .list();
    }

    private boolean step(Handle h, Execution e, Instant now) {
        List<TaskRow> rows = tasksOf(h, e.id());
        boolean changed = false;
        if (e.state() == ExecutionState.PENDING) {
            move(h, e, ExecutionState.IN_PROGRESS, null, now);
            e = new Execution(e.id(), e.windowId(), ExecutionState.IN_PROGRESS, e.cutoffAt(), e.startTime());
            changed = true;
        }
        if (e.state() == ExecutionState.CANCELLING) {
            for (TaskRow t : rows) {
                if (t.state() == TaskState.PENDING) {
                    changed |= tasks.finishUnstarted(h, e, t, TaskState.CANCELLED, "The execution was cancelled.", now);
                } else if (t.state() == TaskState.IN_PROGRESS) {
                    changed |= tasks.cancel(h, e, t, now);
                }
            }
        } else if (!now.isBefore(e.cutoffAt())) {
            for (TaskRow t : rows) {
                if (t.state() == TaskState.PENDING) {
                    changed |= tasks.finishUnstarted(
                            h, e, t, TaskState.TIMED_OUT, "The maintenance window reached its cutoff first.", now);
                } else if (t.state() == TaskState.IN_PROGRESS && tasks.cancelsAtCutoff(t)) {
                    changed |= tasks.cancel(h, e, t, now);
                }
            }
        } else if (rows.stream()
                .noneMatch(t -> t.state() == TaskState.IN_PROGRESS || t.state() == TaskState.CANCELLING)) {
            int priority = rows.stream()
                    .filter(t -> t.state() == TaskState.PENDING)
                    .mapToInt(TaskRow::priority)
                    .min()
                    .orElse(-1);
            for (TaskRow t : rows) {
                if (t.state() == TaskState.PENDING && t.priority() == priority) {
                    tasks.start(h, e, t, now);
                    changed = true;
                }
            }
        }
        rows = tasksOf(h, e.id());
        if (rows.stream().allMatch(t -> t.state().finished())) {
            move(h, e, outcome(e.state(), rows), null, now);
            changed = true;
        }
        return changed;
    }

    private static ExecutionState outcome(ExecutionState current, List<TaskRow> rows) {
        if (current == ExecutionState.CANCELLING) {
            return ExecutionState.CANCELLED;
        }
        if (rows.stream().anyMatch(t -> t.state() == TaskState.FAILED)) {
            return ExecutionState.FAILED;
        }
        if (rows.stream().anyMatch(t -> t.state() == TaskState.TIMED_OUT)) {
            return ExecutionState.TIMED_OUT;
        }
        if (rows.stream().anyMatch(t -> t.state() == TaskState.CANCELLED)) {
            return ExecutionState.CANCELLED;
        }
        return ExecutionState.SUCCESS;
    }

    /** Moves an execution (conditionally on its state), stamping its end when it ends, and announces it. */
    void move(Handle h, Execution e, ExecutionState to, String details, Instant now) {
        boolean ends = !to.open();
        boolean moved = WindowLifecycles.EXECUTION.change(
                e.state(),
                to,
                () -> h.createUpdate("UPDATE maintenance_window_executions SET status = :to,"
                                        + " status_details = COALESCE(:details, status_details),"
                                        + " end_time = CASE WHEN :ends THEN :now ELSE end_time END"
                                        + " WHERE window_execution_id = :id::uuid AND status = :from")
                                .bind("to", to.name())
                                .bind("details", details)
                                .bind("ends", ends)
                                .bind("now", now)
                                .bind("id", e.id())
                                .bind("from", e.state().name())
                                .execute()
                        == 1);
        if (moved) {
            events.executionChanged(h, e.windowId(), e.id(), to.name(), e.startTime(), ends ? now : null);
        }
    }
}
