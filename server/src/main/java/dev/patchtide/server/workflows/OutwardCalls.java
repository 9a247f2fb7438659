package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;
import dev.patchtide.workflow.run.Signal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tasks whose call leaves this server (an HTTP Task, a Lambda function mapped to an HTTP endpoint), made at most
 * once. The effect worker's transaction does not make the call: it marks the task's outbox row dispatched (a
 * dispatch id, and a due time one {@link #LEASE} later) and records TaskStarted; only after that commits is the call
 * made, on a thread of its own and outside any transaction. Its answer is fed back in a second transaction that
 * deletes the row, if it is still the same dispatch (a stopped execution or a timed-out task deleted it).
 *
 * <p>A node that dies mid-call leaves the row dispatched and unanswered. When its lease ends the effect worker finds
 * it again, and rather than call a second time (the endpoint may have acted on the first) fails the task with
 * {@code States.TaskFailed} and {@link #IN_FLIGHT}, so the state's Retry or Catch decides.
 */
final class OutwardCalls implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutwardCalls.class);

    /** Longer than any call may take (HTTP: 60 s, plus an OAuth token fetch), so a lease ends only when its node is gone. */
    static final Duration LEASE = Duration.ofMinutes(3);

    static final String IN_FLIGHT = "The server stopped while the call was in flight; it is not sent again because the"
            + " endpoint may already have acted on it";

    private final Jdbi jdbi;
    private final Host host;
    private final Integrations integrations;
    private final InstantSource clock;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closing;

    OutwardCalls(Jdbi jdbi, Host host, Integrations integrations, InstantSource clock) {
        this.jdbi = jdbi;
        this.host = host;
        this.integrations = integrations;
        this.clock = clock;
    }

    boolean takes(Effect.RunTask task) {
        return integrations.outward(task);
    }

    /**
     * In the effect worker's transaction, with the task's row locked: dispatch the call (made once this commits), or
     * fail a task an earlier dispatch left unanswered.
     */
    void take(Handle h, String executionArn, Effect.RunTask task, UUID earlierDispatch) {
        if (earlierDispatch != null) {
            delete(h, executionArn, task.taskId(), earlierDispatch);
            host.signal(h, executionArn, new Signal.TaskFailed(task.taskId(), StatesError.TASK_FAILED, IN_FLIGHT));
            return;
        }
        UUID dispatch = UUID.randomUUID();
        h.createUpdate("UPDATE sfn_effects SET dispatch_id = :dispatch, due_at = :lease"
                        + " WHERE execution_arn = :arn AND kind = 'TASK' AND effect_id = :id")
                .bind("dispatch", dispatch)
                .bind("lease", Timestamp.from(clock.instant().plus(LEASE)))
                .bind("arn", executionArn)
                .bind("id", task.taskId())
                .execute();
        host.signal(h, executionArn, new Signal.TaskStarted(task.taskId(), ""));
        h.afterCommit(() -> threads.submit(() -> run(executionArn, task, dispatch)));
    }

    private void run(String executionArn, Effect.RunTask task, UUID dispatch) {
        List<Signal> answer;
        try {
            JsonNode result = integrations.call(executionArn, task);
            answer = task.pattern() == Effect.Pattern.WAIT_FOR_TASK_TOKEN
                    ? List.of() // the call only started the task: a SendTask* ends it
                    : List.of(new Signal.TaskSucceeded(task.taskId(), result));
        } catch (StatesError e) {
            answer = List.of(new Signal.TaskFailed(task.taskId(), e.error(), e.cause()));
        } catch (RuntimeException e) {
            log.warn("workflow task {} of {} failed on this server", task.taskId(), executionArn, e);
            answer = List.of(new Signal.TaskFailed(
                    task.taskId(), StatesError.TASK_FAILED, "The call could not be made by this server"));
        }
        if (closing) {
            // Stopping: the answer may be an interruption's; the row stays dispatched and its lease decides.
            return;
        }
        List<Signal> signals = answer;
        try {
            jdbi.useTransaction(h -> {
                if (delete(h, executionArn, task.taskId(), dispatch)) {
                    signals.forEach(s -> host.signal(h, executionArn, s));
                }
            });
        } catch (RuntimeException e) {
            log.warn("the answer of workflow task {} of {} could not be stored", task.taskId(), executionArn, e);
        }
    }

    private static boolean delete(Handle h, String executionArn, String taskId, UUID dispatch) {
        return h.createUpdate("DELETE FROM sfn_effects WHERE execution_arn = :arn AND kind = 'TASK'"
                                + " AND effect_id = :id AND dispatch_id = :dispatch")
                        .bind("arn", executionArn)
                        .bind("id", taskId)
                        .bind("dispatch", dispatch)
                        .execute()
                == 1;
    }

    @Override
    public void close() {
        closing = true;
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
