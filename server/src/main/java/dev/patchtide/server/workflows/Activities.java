package dev.patchtide.server.workflows;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.workflows.MachineMessages.ActivityArnRequest;
import dev.patchtide.server.workflows.MachineMessages.ActivityView;
import dev.patchtide.server.workflows.MachineMessages.CreateActivityRequest;
import dev.patchtide.server.workflows.MachineMessages.CreateActivityResponse;
import dev.patchtide.server.workflows.MachineMessages.GetActivityTaskRequest;
import dev.patchtide.server.workflows.MachineMessages.GetActivityTaskResponse;
import dev.patchtide.server.workflows.MachineMessages.ListActivitiesResponse;
import dev.patchtide.server.workflows.MachineMessages.PageRequest;
import dev.patchtide.workflow.run.Signal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Activities and their workers' long poll. A task is taken with {@code FOR UPDATE SKIP LOCKED} in the transaction
 * that also feeds the execution its TaskStarted, so two workers (on any nodes) never get the same task. A poll
 * waits up to {@code longPoll} (AWS: 60 s): woken at once by a task scheduled on this node, and looking again
 * every second for tasks scheduled by other nodes. It holds no connection while it waits.
 */
final class Activities {
    private static final String LISTING = "activities";
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final Jdbi jdbi;
    private final SfnArns arns;
    private final Host host;
    private final InstantSource clock;
    private final Duration longPoll;
    private final Object scheduled = new Object();
    private long generation;

    Activities(Jdbi jdbi, SfnArns arns, Host host, InstantSource clock, Duration longPoll) {
        this.jdbi = jdbi;
        this.arns = arns;
        this.host = host;
        this.clock = clock;
        this.longPoll = longPoll;
    }

    /** A task for some activity was committed on this node. */
    void wake() {
        synchronized (scheduled) {
            generation++;
            scheduled.notifyAll();
        }
    }

    CreateActivityResponse create(CreateActivityRequest q) {
        SfnArns.requireName(q.name());
        String arn = arns.activity(q.name());
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            int made = h.createUpdate("INSERT INTO sfn_activities (arn, name, created_at) VALUES (:arn, :name, :at)"
                            + " ON CONFLICT DO NOTHING")
                    .bind("arn", arn)
                    .bind("name", q.name())
                    .bind("at", Timestamp.from(now))
                    .execute();
            if (made == 0) {
                // CreateActivity is idempotent: the existing activity is answered.
                return new CreateActivityResponse(arn, describe(h, arn).creationDate());
            }
            Tags.put(h, arn, q.tags());
            return new CreateActivityResponse(arn, now);
        });
    }

    void delete(ActivityArnRequest q) {
        arns.requireActivity(q.activityArn());
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM sfn_activities WHERE arn = :arn")
                    .bind("arn", q.activityArn())
                    .execute();
            h.createUpdate("DELETE FROM sfn_tags WHERE resource_arn = :arn")
                    .bind("arn", q.activityArn())
                    .execute();
        });
    }

    ActivityView describe(ActivityArnRequest q) {
        arns.requireActivity(q.activityArn());
        return jdbi.withHandle(h -> describe(h, q.activityArn()));
    }

    private static ActivityView describe(Handle h, String arn) {
        return h.createQuery("SELECT arn, name, created_at FROM sfn_activities WHERE arn = :arn")
                .bind("arn", arn)
                .map((rs, ctx) -> new ActivityView(
                        rs.getString("arn"),
                        rs.getString("name"),
                        rs.getTimestamp("created_at").toInstant()))
                .findOne()
                .orElseThrow(() -> new ApiException.NotFound(
                        "ActivityDoesNotExist", "Activity Does Not Exist: '" + Validation.clip(arn) + "'"));
    }

    ListActivitiesResponse list(PageRequest q) {
        int page = q.maxResults() == null || q.maxResults() == 0 ? 100 : q.maxResults();
        String after = PageToken.decode(LISTING, q.nextToken()).orElse("");
        List<ActivityView> rows = jdbi.withHandle(h -> h.createQuery("SELECT arn, name, created_at FROM sfn_activities"
                        + " WHERE name > :after ORDER BY name LIMIT :limit")
                .bind("after", after)
                .bind("limit", page + 1)
                .map((rs, ctx) -> new ActivityView(
                        rs.getString("arn"),
                        rs.getString("name"),
                        rs.getTimestamp("created_at").toInstant()))
                .list());
        String next = rows.size() > page
                ? PageToken.encode(LISTING, rows.get(page - 1).name())
                : null;
        return new ListActivitiesResponse(rows.stream().limit(page).toList(), next);
    }

    /** Waits for a task of the activity; an empty answer (no token) when none came within the long poll. */
    GetActivityTaskResponse poll(GetActivityTaskRequest q) {
        arns.requireActivity(q.activityArn());
        jdbi.useHandle(h -> describe(h, q.activityArn()));
        String worker = q.workerName();
        long deadline = System.nanoTime() + longPoll.toNanos();
        while (true) {
            long seen;
            synchronized (scheduled) {
                seen = generation;
            }
            Optional<GetActivityTaskResponse> taken = jdbi.inTransaction(h -> take(h, q.activityArn(), worker));
            if (taken.isPresent()) {
                return taken.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new GetActivityTaskResponse(null, null);
            }
            synchronized (scheduled) {
                if (generation == seen) {
                    try {
                        long wait = Math.min(left, RECHECK.toNanos());
                        scheduled.wait(Math.max(1, wait / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return new GetActivityTaskResponse(null, null);
                    }
                }
            }
        }
    }

    private Optional<GetActivityTaskResponse> take(Handle h, String activityArn, String worker) {
        record Waiting(String token, String executionArn, String taskId, String input) {}
        Optional<Waiting> next = h.createQuery("SELECT token, execution_arn, task_id, input FROM sfn_task_tokens"
                        + " WHERE activity_arn = :activity AND started_at IS NULL AND closed_at IS NULL"
                        + " ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED")
                .bind("activity", activityArn)
                .map((rs, ctx) -> new Waiting(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .findOne();
        if (next.isEmpty()) {
            return Optional.empty();
        }
        Waiting w = next.get();
        h.createUpdate("UPDATE sfn_task_tokens SET started_at = :now, worker_name = :worker WHERE token = :token")
                .bind("now", Timestamp.from(clock.instant()))
                .bind("worker", worker)
                .bind("token", w.token())
                .execute();
        host.signal(h, w.executionArn(), new Signal.TaskStarted(w.taskId(), worker));
        return Optional.of(new GetActivityTaskResponse(w.token(), w.input()));
    }
}
