package dev.patchtide.server.commands;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.commands.AgentMessages.UpdateCommandInvocationRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores agents' reports in groups: the reports that arrive while a group is being written share the next
 * transaction (one look at their commands, one lock and one update of all their invocations, one call to each
 * listener per command and status), so ten thousand agents reporting together cost a few hundred transactions,
 * not twenty thousand. At most {@link #WRITERS} groups are written at once on a node, each by one of the waiting
 * callers, so reports never take more than that many pooled connections from the deliverer and the settles.
 * A group whose transaction fails is written again one report at a time, so one bad report fails alone.
 */
final class Reports {
    private static final Logger log = LoggerFactory.getLogger(Reports.class);

    static final int WRITERS = 2;
    static final int MAX_GROUP = 250;
    /** A report waits this long for its group before the agent is told to send it again (503). */
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** How a report was stored. */
    enum Stored {
        /** The invocation moved (or a final result was taken again): the command needs settling. */
        CHANGED,
        /** Only its outputs changed (InProgress). */
        UNCHANGED,
        /** Its command has not started yet: settle it, then store the report again after the settle. */
        COMMAND_PENDING
    }

    /** A report waiting for its group, and what its caller waits on. */
    private record Pending(ReportWriter.Report report, CompletableFuture<Stored> done) {
        Key key() {
            return new Key(report.commandId(), report.request().instanceId());
        }
    }

    private record Key(UUID commandId, String instanceId) {}

    private final Jdbi jdbi;
    private final ReportWriter writer;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Semaphore writers = new Semaphore(WRITERS);

    Reports(Jdbi jdbi, Progress progress) {
        this.jdbi = jdbi;
        this.writer = new ReportWriter(progress);
    }

    Stored store(UpdateCommandInvocationRequest report, UUID commandId, boolean afterSettle) {
        Pending pending =
                new Pending(new ReportWriter.Report(report, commandId, afterSettle), new CompletableFuture<>());
        synchronized (queue) {
            queue.addLast(pending);
        }
        writeWhileQueued();
        try {
            return pending.done().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Transient("ServiceUnavailable", "The server is stopping; report again.");
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
     * Writes groups while reports are queued and a writer's place is free. A writer looks at the queue again after
     * giving its place back, so a report queued while every place was taken is never left behind.
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

    /** Up to {@link #MAX_GROUP} reports, at most one per invocation (a repeated one waits for the next group). */
    private List<Pending> nextGroup() {
        List<Pending> group = new ArrayList<>();
        Set<Key> keys = new HashSet<>();
        synchronized (queue) {
            List<Pending> repeated = new ArrayList<>();
            while (!queue.isEmpty() && group.size() < MAX_GROUP) {
                Pending p = queue.pollFirst();
                if (keys.add(p.key())) {
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
            outcomes = jdbi.inTransaction(handle -> writer.write(handle, requests(group)));
        } catch (RuntimeException e) {
            if (ApiException.noConnection(e)) {
                // One at a time would wait for the pool once per report: the agents send them again later.
                group.forEach(p -> p.done().completeExceptionally(ApiException.busy()));
                return;
            }
            if (group.size() > 1) {
                log.warn("a group of {} reports failed; storing them one at a time", group.size(), e);
            }
            outcomes = new LinkedHashMap<>();
            for (Pending p : group) {
                try {
                    outcomes.putAll(jdbi.inTransaction(handle -> writer.write(handle, requests(List.of(p)))));
                } catch (RuntimeException one) {
                    outcomes.put(p, one);
                }
            }
        }
        for (Pending p : group) {
            Object outcome = Objects.requireNonNull(outcomes.get(p), "no outcome for a report");
            if (outcome instanceof Stored s) {
                p.done().complete(s);
            } else {
                p.done().completeExceptionally((RuntimeException) outcome);
            }
        }
    }

    private static Map<Pending, ReportWriter.Report> requests(List<Pending> group) {
        Map<Pending, ReportWriter.Report> requests = new LinkedHashMap<>();
        for (Pending p : group) {
            requests.put(p, p.report());
        }
        return requests;
    }
}
