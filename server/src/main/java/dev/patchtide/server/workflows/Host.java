package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.db.PgArrays;
import dev.patchtide.workflow.run.Effect;
import dev.patchtide.workflow.run.ExecutionContext;
import dev.patchtide.workflow.run.HistoryEvent;
import dev.patchtide.workflow.run.Interpreter;
import dev.patchtide.workflow.run.Outcome;
import dev.patchtide.workflow.run.Signal;
import dev.patchtide.workflow.run.Snapshot;
import dev.patchtide.workflow.run.Step;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The durable host of STANDARD executions. Every step of the interpreter is stored in the transaction of the
 * caller that caused it (StartExecution, a SendTask*, a timer, a task's answer): the new snapshot, the history
 * events, the effects as rows of {@code sfn_effects} / {@code sfn_task_tokens}, and the outcome. Nothing acts on
 * an effect before that transaction commits, so a crash at any point leaves either the step before or the step
 * after, never half of one. Steps of one execution are serialized by the execution row's lock.
 */
final class Host {
    private static final ObjectMapper JSON = ApiJson.documents();

    private final Engines engines;
    private final HostEnvironment environment;
    private final InstantSource clock;
    private final ExecutionEvents events;
    private final SfnArns arns;
    private volatile Runnable effectsCommitted = () -> {};
    private volatile Runnable activityTasksCommitted = () -> {};
    private volatile StepListener listener = new StepListener() {};

    /** What another part of the feature follows of executions' steps; told inside the step's transaction. */
    interface StepListener {
        /** A step cancelled a task still running (the execution ended, a timeout, a sibling branch failed). */
        default void taskCancelled(Handle handle, String executionArn, String taskId) {}

        /** The execution ended; {@code row} is its final row. */
        default void ended(Handle handle, ExecutionRow row) {}
    }

    Host(Engines engines, InstantSource clock, ExecutionEvents events, SfnArns arns) {
        this.engines = engines;
        this.environment = new HostEnvironment(clock);
        this.clock = clock;
        this.events = events;
        this.arns = arns;
    }

    /** Who to wake after a step stored effects due now (the effect worker) or activity tasks (waiting pollers). */
    void onCommitted(Runnable effects, Runnable activityTasks) {
        this.effectsCommitted = effects;
        this.activityTasksCommitted = activityTasks;
    }

    void listen(StepListener listener) {
        this.listener = listener;
    }

    HostEnvironment environment() {
        return environment;
    }

    /**
     * Runs the first step of a new execution before its row is stored, so that the row is written once, as the step
     * leaves it (most short executions end in their first step). Pure: nothing is stored until {@link #started}.
     */
    Step firstStep(org.jdbi.v3.core.Jdbi jdbi, ExecutionRow draft, JsonNode input) {
        Interpreter interpreter = engines.cached(draft.revisionId())
                .orElseGet(() -> jdbi.withHandle(h -> engines.forRevision(h, draft.revisionId())));
        ExecutionContext context = new ExecutionContext(
                draft.arn(),
                draft.name(),
                draft.roleArn(),
                draft.startedAt(),
                draft.machineArn(),
                draft.machineName(),
                0);
        return interpreter.start(input, context, environment);
    }

    /**
     * The row to insert for a new execution after its first step: already ended when the step ended it with nothing
     * to carry out, otherwise RUNNING with the step's snapshot.
     */
    ExecutionRow afterFirstStep(ExecutionRow draft, Step step) {
        if (step.outcome().isEmpty() || !step.effects().isEmpty()) {
            return draft.running(step.snapshot().toJson());
        }
        Outcome outcome = step.outcome().get();
        String[] errorCause = errorCause(outcome);
        return draft.ended(
                ExecutionStatus.of(outcome),
                outcome instanceof Outcome.Succeeded s ? s.output().toString() : null,
                errorCause[0],
                errorCause[1],
                clock.instant());
    }

    /** A new execution whose row was just inserted: the draft, the row as stored, and its first step. */
    record Started(ExecutionRow draft, ExecutionRow stored, Step step) {}

    /**
     * Stores the rest of new executions' first steps, in the transaction that has just inserted their rows as
     * {@link #afterFirstStep} made them: their history in one statement, their status change events in one publish
     * (one look at the bus for all), then each one's effects. The caller holds their machines' rows against
     * deletion (see StartWriter), so an execution that ended here never has to take its deleting machine along.
     */
    void started(Handle handle, List<Started> started) {
        List<ExecutionRow> changes = new java.util.ArrayList<>();
        for (Started s : started) {
            changes.add(s.draft());
            if (s.stored().status() != ExecutionStatus.RUNNING) {
                ExecutionStatus.LIFECYCLE.change(
                        ExecutionStatus.RUNNING, s.stored().status(), () -> true);
                changes.add(s.stored());
            }
        }
        appendFirstSteps(handle, started);
        events.statusChanged(handle, changes);
        for (Started s : started) {
            if (s.stored().status() == ExecutionStatus.RUNNING) {
                for (Effect effect : s.step().effects()) {
                    carry(handle, s.stored(), effect);
                }
                s.step().outcome().ifPresent(outcome -> finish(handle, s.stored(), outcome));
            }
        }
    }

    /**
     * Feeds one signal to a running execution, in the caller's transaction.
     *
     * @return false when the execution does not exist or no longer runs (the signal is dropped)
     */
    boolean signal(Handle handle, String executionArn, Signal signal) {
        Optional<ExecutionRow> locked = ExecutionRow.lock(handle, executionArn);
        if (locked.isEmpty() || locked.get().status() != ExecutionStatus.RUNNING) {
            return false;
        }
        ExecutionRow row = locked.get();
        Interpreter interpreter = engines.forRevision(handle, row.revisionId());
        apply(handle, row, interpreter.resume(Snapshot.fromJson(row.snapshot()), signal, environment));
        return true;
    }

    private void apply(Handle handle, ExecutionRow row, Step step) {
        appendEvents(handle, row.arn(), step);
        for (Effect effect : step.effects()) {
            carry(handle, row, effect);
        }
        if (step.outcome().isPresent()) {
            finish(handle, row, step.outcome().get());
        } else {
            handle.createUpdate("UPDATE sfn_executions SET snapshot = CAST(:snapshot AS json) WHERE arn = :arn")
                    .bind("snapshot", step.snapshot().toJson().toString())
                    .bind("arn", row.arn())
                    .execute();
        }
    }

    /**
     * A step's events as one row, already shaped as GetExecutionHistory lists them: a long step (a Map's iterations)
     * has hundreds, and one row costs one index entry rather than one per event.
     */
    private static void appendEvents(Handle handle, String arn, Step step) {
        List<HistoryEvent> events = step.events();
        if (events.isEmpty()) {
            return;
        }
        handle.createUpdate("INSERT INTO sfn_history_steps (execution_arn, first_id, last_id, events)"
                        + " VALUES (:arn, :first, :last, :events)")
                .bind("arn", arn)
                .bind("first", events.getFirst().id())
                .bind("last", events.getLast().id())
                .bind("events", listed(events))
                .execute();
    }

    /** As {@link #appendEvents} for the first steps of many new executions, in one statement. */
    private static void appendFirstSteps(Handle handle, List<Started> started) {
        List<Started> with =
                started.stream().filter(s -> !s.step().events().isEmpty()).toList();
        if (with.isEmpty()) {
            return;
        }
        int n = with.size();
        String[] arns = new String[n];
        Long[] firsts = new Long[n];
        Long[] lasts = new Long[n];
        String[] listed = new String[n];
        for (int i = 0; i < n; i++) {
            List<HistoryEvent> events = with.get(i).step().events();
            arns[i] = with.get(i).draft().arn();
            firsts[i] = events.getFirst().id();
            lasts[i] = events.getLast().id();
            listed[i] = listed(events);
        }
        handle.createUpdate("INSERT INTO sfn_history_steps (execution_arn, first_id, last_id, events)"
                        + " SELECT * FROM unnest(CAST(:arns AS text[]), CAST(:firsts AS bigint[]),"
                        + " CAST(:lasts AS bigint[]), CAST(:events AS text[]))")
                .bind("arns", PgArrays.texts(arns))
                .bindArray("firsts", Long.class, (Object[]) firsts)
                .bindArray("lasts", Long.class, (Object[]) lasts)
                .bind("events", PgArrays.texts(listed))
                .execute();
    }

    private static String listed(List<HistoryEvent> events) {
        ArrayNode listed = JSON.createArrayNode();
        for (HistoryEvent e : events) {
            ObjectNode wire = listed.addObject()
                    .put("timestamp", BigDecimal.valueOf(e.timestamp().toEpochMilli(), 3))
                    .put("type", e.type())
                    .put("id", e.id())
                    .put("previousEventId", e.previousEventId());
            if (e.detailsKey() != null && e.details() != null) {
                wire.set(e.detailsKey(), e.details());
            }
        }
        return listed.toString();
    }

    private void carry(Handle handle, ExecutionRow row, Effect effect) {
        switch (effect) {
            case Effect.RunTask task -> schedule(handle, row, task);
            case Effect.CancelTask cancel -> {
                handle.createUpdate("DELETE FROM sfn_effects WHERE execution_arn = :arn AND kind = 'TASK'"
                                + " AND effect_id = :id")
                        .bind("arn", row.arn())
                        .bind("id", cancel.taskId())
                        .execute();
                closeTokens(handle, row.arn(), Optional.of(cancel.taskId()));
                listener.taskCancelled(handle, row.arn(), cancel.taskId());
            }
            case Effect.StartTimer timer -> {
                handle.createUpdate("INSERT INTO sfn_effects (execution_arn, kind, effect_id, due_at, body)"
                                + " VALUES (:arn, 'TIMER', :id, :due, '{}'::json)"
                                + " ON CONFLICT (execution_arn, kind, effect_id) DO UPDATE SET due_at = :due")
                        .bind("arn", row.arn())
                        .bind("id", timer.timerId())
                        .bind("due", Timestamp.from(timer.due()))
                        .execute();
                handle.afterCommit(effectsCommitted);
            }
            case Effect.CancelTimer cancel ->
                handle.createUpdate("DELETE FROM sfn_effects WHERE execution_arn = :arn AND kind = 'TIMER'"
                                + " AND effect_id = :id")
                        .bind("arn", row.arn())
                        .bind("id", cancel.timerId())
                        .execute();
        }
    }

    /**
     * An activity task waits in {@code sfn_task_tokens} for a GetActivityTask; every other task becomes an outbox
     * row the effect worker carries out. A task that ends with a SendTask* also gets its token row.
     */
    private void schedule(Handle handle, ExecutionRow row, Effect.RunTask task) {
        boolean activity = task.pattern() == Effect.Pattern.ACTIVITY;
        Optional<String> token = task.taskToken();
        if (activity || task.pattern() == Effect.Pattern.WAIT_FOR_TASK_TOKEN) {
            String t = token.orElseGet(environment::newTaskToken);
            handle.createUpdate("INSERT INTO sfn_task_tokens"
                            + " (token, execution_arn, task_id, activity_arn, input, created_at)"
                            + " VALUES (:token, :arn, :task, :activity, :input, :now)")
                    .bind("token", t)
                    .bind("arn", row.arn())
                    .bind("task", task.taskId())
                    .bind("activity", activity ? task.resource() : null)
                    .bind("input", activity ? task.parameters().toString() : null)
                    .bind("now", Timestamp.from(clock.instant()))
                    .execute();
            token = Optional.of(t);
        }
        if (activity) {
            handle.afterCommit(activityTasksCommitted);
            return;
        }
        ObjectNode body = JSON.createObjectNode()
                .put("taskId", task.taskId())
                .put("stateName", task.stateName())
                .put("resource", task.resource())
                .put("pattern", task.pattern().name());
        body.set("parameters", task.parameters());
        task.credentials().ifPresent(c -> body.set("credentials", c));
        token.ifPresent(t -> body.put("taskToken", t));
        handle.createUpdate("INSERT INTO sfn_effects (execution_arn, kind, effect_id, due_at, body)"
                        + " VALUES (:arn, 'TASK', :id, :due, CAST(:body AS json))"
                        + " ON CONFLICT (execution_arn, kind, effect_id) DO NOTHING")
                .bind("arn", row.arn())
                .bind("id", task.taskId())
                .bind("due", Timestamp.from(clock.instant()))
                .bind("body", body.toString())
                .execute();
        handle.afterCommit(effectsCommitted);
    }

    private void closeTokens(Handle handle, String arn, Optional<String> taskId) {
        handle.createUpdate("UPDATE sfn_task_tokens SET closed_at = :now WHERE execution_arn = :arn"
                        + " AND closed_at IS NULL" + (taskId.isPresent() ? " AND task_id = :task" : ""))
                .bind("now", Timestamp.from(clock.instant()))
                .bind("arn", arn)
                .bind("task", taskId.orElse(""))
                .execute();
    }

    private void finish(Handle handle, ExecutionRow row, Outcome outcome) {
        ExecutionStatus to = ExecutionStatus.of(outcome);
        String output = outcome instanceof Outcome.Succeeded s ? s.output().toString() : null;
        String[] errorCause = errorCause(outcome);
        ExecutionStatus.LIFECYCLE.change(
                ExecutionStatus.RUNNING,
                to,
                () -> handle.createUpdate("UPDATE sfn_executions SET status = :to, output = :output, error = :error,"
                                        + " cause = :cause, snapshot = NULL, stopped_at = :now"
                                        + " WHERE arn = :arn AND status = 'RUNNING'")
                                .bind("to", to.name())
                                .bind("output", output)
                                .bind("error", errorCause[0])
                                .bind("cause", errorCause[1])
                                .bind("now", Timestamp.from(clock.instant()))
                                .bind("arn", row.arn())
                                .execute()
                        == 1);
        handle.createUpdate("DELETE FROM sfn_effects WHERE execution_arn = :arn")
                .bind("arn", row.arn())
                .execute();
        closeTokens(handle, row.arn(), Optional.empty());
        ExecutionRow ended = ExecutionRow.find(handle, row.arn()).orElseThrow();
        events.statusChanged(handle, List.of(ended));
        listener.ended(handle, ended);
        MachineStore.dropIfDeletingAndIdle(handle, row.machineArn());
    }

    private static String[] errorCause(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Succeeded s -> new String[] {null, null};
            case Outcome.Failed f -> new String[] {f.error(), f.cause()};
            case Outcome.TimedOut t -> new String[] {t.error(), t.cause()};
            case Outcome.Aborted a -> new String[] {a.error(), a.cause()};
        };
    }

    SfnArns arns() {
        return arns;
    }
}
