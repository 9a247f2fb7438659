package dev.patchtide.server.workflows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;
import dev.patchtide.workflow.run.Signal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the durable host's outbox: tasks to call and timers that are due (by the injected clock). Each row is
 * claimed with {@code FOR UPDATE SKIP LOCKED} and handled in one transaction that also deletes it and feeds the
 * execution its answer, so across any number of nodes each effect is carried out once.
 *
 * <p>What a crash does (a node killed with {@code kill -9}, its connection cut): the transaction is rolled back by
 * PostgreSQL, so the row is there again, unlocked, and another node (or this one restarted) takes it.
 * <ul>
 *   <li>A timer is a signal only: firing it again is the first firing that ever committed.
 *   <li>A task's call runs inside the same transaction (every integration here calls this server's own actions,
 *       whose writes, such as an SNS publish's outbox rows, a command or events, join it through JDBI's
 *       thread-bound handle). A rolled-back call therefore left nothing behind, and calling again is exactly once.
 *       An integration with effects outside this database (an HTTP call) is not made here: the transaction only
 *       marks the row dispatched, and {@link OutwardCalls} makes the call after it commits, at most once.
 *   <li>Activity tasks and {@code .waitForTaskToken} answers never wait in a worker: they are rows a
 *       GetActivityTask or SendTask* consumes in its own transaction.
 * </ul>
 * A round that fails (the interpreter or the database) leaves the row where it is, one attempt counted, and tries
 * again later with back-off, so one broken execution never stops the others.
 */
final class EffectWorker {
    private static final Logger log = LoggerFactory.getLogger(EffectWorker.class);
    private static final int BATCH = 50;

    private final Jdbi jdbi;
    private final Host host;
    private final Integrations integrations;
    private final OutwardCalls outward;
    private final InstantSource clock;
    private final PollingLoop loop;

    EffectWorker(
            Jdbi jdbi,
            Host host,
            Integrations integrations,
            OutwardCalls outward,
            InstantSource clock,
            Duration idlePoll) {
        this.jdbi = jdbi;
        this.host = host;
        this.integrations = integrations;
        this.outward = outward;
        this.clock = clock;
        this.loop = new PollingLoop("workflow-effects", idlePoll, this::round);
    }

    PollingLoop loop() {
        return loop;
    }

    private record Due(
            String executionArn, String kind, String effectId, String body, int attempts, java.util.UUID dispatch) {}

    private boolean round() {
        for (int i = 0; i < BATCH; i++) {
            if (!one()) {
                return false;
            }
        }
        return true;
    }

    /** Handles the most overdue effect; false when none is due. */
    private boolean one() {
        Due[] taken = new Due[1];
        try {
            return jdbi.inTransaction(h -> handleNext(h, taken));
        } catch (RuntimeException e) {
            if (taken[0] == null) {
                throw e;
            }
            log.warn(
                    "workflow effect {} of {} failed; it is tried again later",
                    taken[0].effectId(),
                    taken[0].executionArn(),
                    e);
            postpone(taken[0]);
            return true;
        }
    }

    private boolean handleNext(Handle h, Due[] taken) {
        Optional<Due> next = next(h);
        if (next.isEmpty()) {
            return false;
        }
        Due due = next.get();
        taken[0] = due;
        if (due.kind().equals("TASK") && outward.takes(task(due))) {
            // A call that leaves this server is made after this commits, outside it (see OutwardCalls).
            outward.take(h, due.executionArn(), task(due), due.dispatch());
            return true;
        }
        h.createUpdate("DELETE FROM sfn_effects WHERE execution_arn = :arn AND kind = :kind AND effect_id = :id")
                .bind("arn", due.executionArn())
                .bind("kind", due.kind())
                .bind("id", due.effectId())
                .execute();
        List<Signal> answers = due.kind().equals("TIMER")
                ? List.of(new Signal.TimerFired(due.effectId()))
                : call(h, due.executionArn(), task(due));
        for (Signal signal : answers) {
            host.signal(h, due.executionArn(), signal);
        }
        return true;
    }

    private Optional<Due> next(Handle h) {
        return h.createQuery("SELECT execution_arn, kind, effect_id, body, attempts, dispatch_id FROM sfn_effects"
                        + " WHERE due_at <= :now ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED")
                .bind("now", Timestamp.from(clock.instant()))
                .map((rs, ctx) -> new Due(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getInt(5),
                        rs.getObject(6, java.util.UUID.class)))
                .findOne();
    }

    private void postpone(Due due) {
        long seconds = Math.min(300, 1L << Math.min(8, due.attempts()));
        jdbi.useTransaction(h -> h.createUpdate("UPDATE sfn_effects SET attempts = attempts + 1, due_at = :due"
                        + " WHERE execution_arn = :arn AND kind = :kind AND effect_id = :id")
                .bind("due", Timestamp.from(clock.instant().plusSeconds(seconds)))
                .bind("arn", due.executionArn())
                .bind("kind", due.kind())
                .bind("id", due.effectId())
                .execute());
    }

    /**
     * Calls the task's resource inside a savepoint: a failed call's writes are undone while the transaction goes on
     * to record the failure. A request-response task ends with the call; a {@code .waitForTaskToken} task has only
     * started, and waits for its SendTask*.
     */
    private List<Signal> call(Handle h, String executionArn, Effect.RunTask task) {
        Signal started = new Signal.TaskStarted(task.taskId(), "");
        h.savepoint("workflow_task");
        try {
            JsonNode result = integrations.call(executionArn, task);
            h.releaseSavepoint("workflow_task");
            return switch (task.pattern()) {
                case WAIT_FOR_TASK_TOKEN, ACTIVITY -> List.of(started);
                // A job was submitted: its end comes later, as its own signal.
                case RUN_JOB, RUN_JOB_V2 -> List.of(started, new Signal.TaskSubmitted(task.taskId(), result));
                case REQUEST_RESPONSE -> List.of(started, new Signal.TaskSucceeded(task.taskId(), result));
            };
        } catch (StatesError e) {
            h.rollbackToSavepoint("workflow_task");
            return List.of(started, new Signal.TaskFailed(task.taskId(), e.error(), e.cause()));
        }
    }

    private static Effect.RunTask task(Due due) {
        try {
            JsonNode body = ApiJson.documents().readTree(due.body());
            return new Effect.RunTask(
                    body.path("taskId").asText(),
                    body.path("stateName").asText(),
                    body.path("resource").asText(),
                    Effect.Pattern.valueOf(body.path("pattern").asText()),
                    body.path("parameters"),
                    Optional.ofNullable(body.get("credentials")),
                    Optional.ofNullable(body.get("taskToken")).map(JsonNode::asText));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable workflow task " + due.effectId(), e);
        }
    }
}
