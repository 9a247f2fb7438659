package dev.patchtide.server.windows;

import dev.patchtide.server.windows.WindowLifecycles.ExecutionState;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due windows. Each due, enabled window is claimed with {@code FOR UPDATE SKIP LOCKED}, so exactly one
 * node fires it; its execution and its next run time are written in the same transaction (and an execution
 * is unique per window and due time besides). A run whose cutoff passed while no node was running (an
 * outage) is not fired late: the window moves on to its next run. A run due while the window's previous
 * execution is still open is recorded SKIPPED_OVERLAPPING.
 */
final class WindowScheduler {
    private static final Logger log = LoggerFactory.getLogger(WindowScheduler.class);
    private static final int BATCH = 20;

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final WindowEvents events;

    WindowScheduler(Jdbi jdbi, InstantSource clock, WindowEvents events) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
    }

    /** Fires the windows due now; returns how many due runs it handled. */
    int fireDue() {
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            List<WindowRow> due = h.createQuery("SELECT " + WindowRow.COLUMNS + " FROM maintenance_windows"
                            + " WHERE enabled AND next_run_at <= :now ORDER BY next_run_at LIMIT :batch"
                            + " FOR UPDATE SKIP LOCKED")
                    .bind("now", now)
                    .bind("batch", BATCH)
                    .map((rs, ctx) -> WindowRow.map(rs))
                    .list();
            for (WindowRow w : due) {
                fire(h, w, w.nextRunAt().orElseThrow(), now);
            }
            return due.size();
        });
    }

    private void fire(Handle h, WindowRow w, Instant dueAt, Instant now) {
        Instant latest = dueAt.isAfter(now) ? dueAt : now;
        Optional<Instant> next = w.parsedSchedule().next(latest, w.scheduleAnchor());
        h.createUpdate("UPDATE maintenance_windows SET next_run_at = :next WHERE window_id = :id")
                .bind("next", next.orElse(null))
                .bind("id", w.windowId())
                .execute();
        Instant endsAt = dueAt.plus(Duration.ofHours(w.duration()));
        Instant cutoffAt = endsAt.minus(Duration.ofHours(w.cutoff()));
        if (!now.isBefore(cutoffAt)) {
            log.info("window {}: run due at {} missed its cutoff ({}); not fired late", w.windowId(), dueAt, cutoffAt);
            return;
        }
        boolean stillRunning = h.createQuery("SELECT count(*) FROM maintenance_window_executions WHERE window_id = :id"
                                + " AND status IN ('PENDING', 'IN_PROGRESS', 'CANCELLING')")
                        .bind("id", w.windowId())
                        .mapTo(Integer.class)
                        .one()
                > 0;
        String executionId = UUID.randomUUID().toString();
        ExecutionState state = stillRunning ? ExecutionState.SKIPPED_OVERLAPPING : ExecutionState.PENDING;
        int inserted = h.createUpdate("INSERT INTO maintenance_window_executions (window_execution_id, window_id,"
                        + " status, status_details, scheduled_for, cutoff_at, ends_at, start_time, end_time)"
                        + " VALUES (:id::uuid, :window, :status, :details, :due, :cutoff, :ends, :now, :end)"
                        + " ON CONFLICT (window_id, scheduled_for) DO NOTHING")
                .bind("id", executionId)
                .bind("window", w.windowId())
                .bind("status", state.name())
                .bind(
                        "details",
                        stillRunning ? "The previous execution of this maintenance window is still running." : null)
                .bind("due", dueAt)
                .bind("cutoff", cutoffAt)
                .bind("ends", endsAt)
                .bind("now", now)
                .bind("end", stillRunning ? now : null)
                .execute();
        if (inserted == 0) {
            return;
        }
        if (!stillRunning) {
            // The tasks as they are now: a later change to a task does not alter a run under way.
            h.createUpdate("INSERT INTO maintenance_window_task_executions (task_execution_id, window_execution_id,"
                            + " window_task_id, priority, definition, status)"
                            + " SELECT gen_random_uuid(), :execution::uuid, window_task_id, priority, definition,"
                            + " 'PENDING' FROM maintenance_window_tasks WHERE window_id = :window")
                    .bind("execution", executionId)
                    .bind("window", w.windowId())
                    .execute();
        }
        events.executionChanged(h, w.windowId(), executionId, state.name(), now, stillRunning ? now : null);
    }
}
