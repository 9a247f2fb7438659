package dev.patchtide.server.workflows;

import dev.patchtide.server.api.ApiException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits StartExecution's new STANDARD executions in groups: the starts that arrive while a group is being written
 * share the next transaction ({@link StartWriter}: a fixed handful of statements and one commit for the group), so
 * a burst of starts costs a few transactions rather than one each. Each caller still answers only after its own row
 * is committed. At most {@link #WRITERS} groups are written at once, each by one of the waiting callers (no thread
 * of its own). A group whose transaction fails is written again one start at a time, so one bad start fails alone.
 */
final class StartGroups {
    private static final Logger log = LoggerFactory.getLogger(StartGroups.class);

    static final int WRITERS = 2;
    static final int MAX_GROUP = 200;
    /** A start waits this long for its group before the caller is told to retry (the same name is idempotent). */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private record Pending(StartWriter.Start start, CompletableFuture<Object> done) {
        String arn() {
            return start.draft().arn();
        }
    }

    private final Jdbi jdbi;
    private final StartWriter writer;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Semaphore writers = new Semaphore(WRITERS);

    StartGroups(Jdbi jdbi, StartWriter writer) {
        this.jdbi = jdbi;
        this.writer = writer;
    }

    /** Stores the start with the next group: its response, or {@link StartWriter#STALE}; a refusal is thrown. */
    Object store(StartWriter.Start start) {
        if (jdbi.getHandleScope().get() != null) {
            // Called inside a transaction of this thread (a window task, a task of the effect worker): the start
            // joins it, so it commits or rolls back with what the caller records about it.
            Object outcome = jdbi.inTransaction(h -> writer.write(h, Map.of("start", start)))
                    .get("start");
            if (outcome instanceof RuntimeException refused) {
                throw refused;
            }
            return outcome;
        }
        Pending pending = new Pending(start, new CompletableFuture<>());
        synchronized (queue) {
            queue.addLast(pending);
        }
        writeWhileQueued();
        try {
            Object outcome = pending.done().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (outcome instanceof RuntimeException refused) {
                throw refused;
            }
            return outcome;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Transient("ServiceUnavailable", "The server is stopping; retry later.");
        } catch (TimeoutException e) {
            throw ApiException.busy();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Writes groups while starts are queued and a writer's place is free. A writer looks at the queue again after
     * giving its place back, so a start queued while every place was taken is never left behind.
     */
    private void writeWhileQueued() {
        while (hasQueued() && writers.tryAcquire()) {
            try {
                List<Pending> group = nextGroup();
                if (!group.isEmpty()) {
                    write(group);
                }
            } finally {
                writers.release();
            }
        }
    }

    private boolean hasQueued() {
        synchronized (queue) {
            return !queue.isEmpty();
        }
    }

    /** Up to {@link #MAX_GROUP} starts, at most one per execution ARN (a repeated one waits for the next group). */
    private List<Pending> nextGroup() {
        List<Pending> group = new ArrayList<>();
        Set<String> arns = new HashSet<>();
        synchronized (queue) {
            List<Pending> repeated = new ArrayList<>();
            while (!queue.isEmpty() && group.size() < MAX_GROUP) {
                Pending p = queue.pollFirst();
                if (arns.add(p.arn())) {
                    group.add(p);
                } else {
                    repeated.add(p);
                }
            }
            for (int i = repeated.size() - 1; i >= 0; i--) {
                queue.addFirst(repeated.get(i));
            }
        }
        return group;
    }

    private void write(List<Pending> group) {
        Map<Pending, Object> outcomes;
        try {
            outcomes = jdbi.inTransaction(handle -> writer.write(handle, starts(group)));
        } catch (RuntimeException e) {
            if (ApiException.noConnection(e)) {
                // One at a time would wait for the pool once per start: the callers retry later.
                group.forEach(p -> p.done().complete(ApiException.busy()));
                return;
            }
            if (group.size() > 1) {
                log.warn("a group of {} starts failed; storing them one at a time", group.size(), e);
            }
            outcomes = new LinkedHashMap<>();
            for (Pending p : group) {
                try {
                    outcomes.putAll(jdbi.inTransaction(handle -> writer.write(handle, starts(List.of(p)))));
                } catch (RuntimeException one) {
                    outcomes.put(p, one);
                }
            }
        }
        for (Pending p : group) {
            p.done().complete(Objects.requireNonNull(outcomes.get(p), "no outcome for a start"));
        }
    }

    private static Map<Pending, StartWriter.Start> starts(List<Pending> group) {
        Map<Pending, StartWriter.Start> starts = new LinkedHashMap<>();
        for (Pending p : group) {
            starts.put(p, p.start());
        }
        return starts;
    }
}
