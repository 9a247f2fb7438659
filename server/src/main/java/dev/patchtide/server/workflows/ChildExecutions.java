package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * Parents waiting for a child execution ({@code states:startExecution.sync} and {@code .sync:2}), durably: a row of
 * {@code sfn_children} links them from the transaction that started the child. The child's end marks it ENDED in
 * the child's last transaction; the parent's task being cancelled (the parent stopped or failed, the task timed out)
 * marks it STOP in the parent's. A worker then, in a transaction of its own, answers the parent with the child's
 * DescribeExecution (success; or {@code States.TaskFailed} with it as the cause) or stops the child, as AWS stops a
 * {@code .sync} child (its IAM policy for {@code .sync} grants StopExecution for that). Nothing is held in memory: a
 * server that stopped finds the rows on start.
 *
 * <p>Locks are always taken parent (or child) row first, then the link, as the steps that mark the link take them,
 * so the worker and those steps never deadlock.
 */
final class ChildExecutions implements Host.StepListener {
    private static final int BATCH = 20;

    private final Jdbi jdbi;
    private final LocalCalls calls;
    private final InstantSource clock;
    private final PollingLoop loop;
    private Host host;

    ChildExecutions(Jdbi jdbi, LocalCalls calls, InstantSource clock, Duration idlePoll) {
        this.jdbi = jdbi;
        this.calls = calls;
        this.clock = clock;
        this.loop = new PollingLoop("workflow-children", idlePoll, this::round);
    }

    /** Follows {@code host}'s executions. */
    void attach(Host host) {
        this.host = host;
        host.listen(this);
    }

    PollingLoop loop() {
        return loop;
    }

    /** In the transaction that started {@code child}: the parent's task waits for it. */
    void await(String parentArn, String taskId, String childArn, Effect.Pattern pattern) {
        jdbi.useHandle(h -> {
            boolean running = ExecutionRow.find(h, childArn)
                    .map(r -> r.status() == ExecutionStatus.RUNNING)
                    .orElse(false);
            h.createUpdate("INSERT INTO sfn_children (child_arn, parent_arn, task_id, pattern, state, since)"
                            + " VALUES (:child, :parent, :task, :pattern, :state, :now)"
                            // StartExecution answers a running child of the same name and input again (a retried
                            // task): the new task waits for it instead of the old one.
                            + " ON CONFLICT (child_arn) DO UPDATE SET parent_arn = EXCLUDED.parent_arn,"
                            + " task_id = EXCLUDED.task_id, pattern = EXCLUDED.pattern, state = EXCLUDED.state,"
                            + " since = EXCLUDED.since")
                    .bind("child", childArn)
                    .bind("parent", parentArn)
                    .bind("task", taskId)
                    .bind("pattern", pattern.name())
                    .bind("state", running ? "RUNNING" : "ENDED")
                    .bind("now", Timestamp.from(clock.instant()))
                    .execute();
            if (!running) {
                h.afterCommit(loop::wake);
            }
        });
    }

    @Override
    public void ended(Handle handle, ExecutionRow row) {
        mark(
                handle,
                "UPDATE sfn_children SET state = 'ENDED', since = :now WHERE child_arn = :a AND state = 'RUNNING'",
                row.arn(),
                "");
    }

    @Override
    public void taskCancelled(Handle handle, String executionArn, String taskId) {
        mark(
                handle,
                "UPDATE sfn_children SET state = 'STOP', since = :now WHERE parent_arn = :a AND task_id = :b"
                        + " AND state = 'RUNNING'",
                executionArn,
                taskId);
    }

    private void mark(Handle handle, String sql, String a, String b) {
        int marked = handle.createUpdate(sql)
                .bind("now", Timestamp.from(clock.instant()))
                .bind("a", a)
                .bind("b", b)
                .execute();
        if (marked > 0) {
            handle.afterCommit(loop::wake);
        }
    }

    private record Link(String child, String parent, String taskId, String pattern, String state) {}

    private boolean round() {
        List<Link> due = jdbi.withHandle(h -> h.createQuery("SELECT child_arn, parent_arn, task_id, pattern, state"
                        + " FROM sfn_children WHERE state <> 'RUNNING' ORDER BY since LIMIT " + BATCH)
                .map((rs, ctx) ->
                        new Link(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
                .list());
        for (Link link : due) {
            jdbi.useTransaction(h -> {
                if (link.state().equals("ENDED")) {
                    answerParent(h, link);
                } else {
                    stopChild(h, link);
                }
            });
        }
        return due.size() == BATCH;
    }

    /** Parent first, then the link: the order of the parent's own steps. */
    private void answerParent(Handle h, Link link) {
        ExecutionRow.lock(h, link.parent());
        Optional<Link> locked = relock(h, link.child());
        if (locked.isEmpty() || !locked.get().state().equals("ENDED")) {
            return; // another node answered it, or the parent's task was cancelled meanwhile
        }
        ObjectNode q = ApiJson.documents().createObjectNode().put("executionArn", link.child());
        JsonNode describe = calls.call("AWSStepFunctions.DescribeExecution", q, "StepFunctions");
        boolean json = link.pattern().equals(Effect.Pattern.RUN_JOB_V2.name());
        ObjectNode output = StatesIntegration.described(describe, json);
        Signal answer = "SUCCEEDED".equals(describe.path("status").asText())
                ? new Signal.TaskSucceeded(link.taskId(), output)
                : new Signal.TaskFailed(link.taskId(), StatesError.TASK_FAILED, output.toString());
        host.signal(h, link.parent(), answer);
        delete(h, link.child());
    }

    /** Child first, then the link: the order of the child's own steps. */
    private void stopChild(Handle h, Link link) {
        Optional<ExecutionRow> child = ExecutionRow.lock(h, link.child());
        if (relock(h, link.child()).isEmpty()) {
            return;
        }
        if (child.isPresent() && child.get().status() == ExecutionStatus.RUNNING) {
            host.signal(
                    h,
                    link.child(),
                    new Signal.Stop(
                            null,
                            "Stopped because the task of execution " + link.parent() + " that" + " started it ended"));
        }
        delete(h, link.child());
    }

    private static Optional<Link> relock(Handle h, String child) {
        return h.createQuery("SELECT child_arn, parent_arn, task_id, pattern, state FROM sfn_children"
                        + " WHERE child_arn = :child FOR UPDATE")
                .bind("child", child)
                .map((rs, ctx) ->
                        new Link(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
                .findOne();
    }

    private static void delete(Handle h, String child) {
        h.createUpdate("DELETE FROM sfn_children WHERE child_arn = :child")
                .bind("child", child)
                .execute();
    }
}
