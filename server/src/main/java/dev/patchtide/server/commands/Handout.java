package dev.patchtide.server.commands;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.patchtide.server.commands.AgentMessages.Invocation;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * SendCommand's own hand-out: the invocations it releases whose agent is waiting in a poll on this node are marked
 * delivered in SendCommand's transaction and answered right after its commit, instead of in a second round (wake-up,
 * look, claim) once it has committed. The polls are reserved first (the node's {@link Deliverer} then leaves them
 * alone); a poll superseded by a newer one waiting here hands its place to that one, and a poll otherwise gone (its
 * agent polls elsewhere, or it is 45 s old) by the end of the hand-out is left out by rolling the hand-out back to its
 * savepoint and doing it again without it, so nothing is marked delivered for a connection nobody reads. The other
 * released invocations (agents waiting on other nodes, or not waiting) are woken as before.
 */
final class Handout {
    private static final String SAVEPOINT = "handout";
    /** Each retry drops at least one poll; past this the rest goes the usual way (deliverer). */
    private static final int ATTEMPTS = 3;

    private final Deliverer deliverer;
    private final Progress progress;

    Handout(Deliverer deliverer, Progress progress) {
        this.deliverer = deliverer;
        this.progress = progress;
    }

    /**
     * Hands out to the polls waiting here for {@code released} (invocations of {@code command}, released in this
     * transaction); answers the instances handed out, whose polls are answered once the transaction commits.
     */
    Set<String> handOut(Handle handle, CommandRow command, List<String> released) {
        Map<String, Poll> polls = new LinkedHashMap<>();
        deliverer.reserveWaiting(released).forEach(p -> polls.put(p.instanceId, p));
        if (polls.isEmpty()) {
            return Set.of();
        }
        try {
            for (int attempt = 1; !polls.isEmpty(); attempt++) {
                handle.savepoint(SAVEPOINT);
                List<String> delivered = deliver(handle, command, polls);
                List<Poll> gone = delivered == null ? List.of() : gone(polls);
                if (delivered != null && gone.isEmpty()) {
                    handle.releaseSavepoint(SAVEPOINT);
                    // Rows another transaction could not have taken (they are new), but kept exact anyway: a poll
                    // whose row was not marked waits on.
                    Set<String> marked = new java.util.HashSet<>(delivered);
                    for (Poll poll : List.copyOf(polls.values())) {
                        if (!marked.contains(poll.instanceId)) {
                            polls.remove(poll.instanceId);
                            poll.unreserve();
                        }
                    }
                    break;
                }
                handle.rollbackToSavepoint(SAVEPOINT);
                for (Poll poll : gone) {
                    polls.remove(poll.instanceId);
                    poll.close();
                }
                if (attempt == ATTEMPTS) {
                    polls.values().forEach(Poll::unreserve);
                    polls.clear();
                }
            }
        } catch (RuntimeException | Error e) {
            polls.values().forEach(Poll::unreserve);
            throw e;
        }
        if (polls.isEmpty()) {
            return Set.of();
        }
        Invocation plan = invocation(command);
        handle.afterCommit(() -> polls.forEach((instanceId, poll) -> poll.answer(
                new ReceiveCommandInvocationsResult(List.of(withInstance(plan, instanceId)), poll.cancellations()))));
        handle.afterRollback(() -> polls.values().forEach(Poll::unreserve));
        return Set.copyOf(polls.keySet());
    }

    /**
     * Marks the invocations of {@code polls}' instances delivered, then tells the listeners; answers the instances
     * marked, or null when a poll was gone right after the update (dropped here; the caller rolls back and tries
     * again, and the events, the long part, are not written for nothing).
     */
    private List<String> deliver(Handle handle, CommandRow command, Map<String, Poll> polls) {
        Set<String> instanceIds = polls.keySet();
        Instant now = progress.now();
        List<String> delivered = handle.createQuery("UPDATE command_invocations SET state = 'DELIVERED',"
                        + " delivered_at = :now, execution_start = coalesce(execution_start, :now), changed_at = :now,"
                        + " silent_deadline = GREATEST(:expires, CAST(:now AS timestamptz)"
                        + " + :execution * interval '1 second') + :grace * interval '1 second'"
                        + " WHERE command_id = :id AND instance_id = ANY(:ids) AND state = 'RELEASED'"
                        + " RETURNING instance_id")
                .bind("now", now)
                .bind("expires", command.expiresAfter())
                .bind("execution", command.executionTimeoutSeconds())
                .bind("grace", Launcher.silentGrace().toSeconds())
                .bind("id", command.commandId())
                .bindArray("ids", String.class, instanceIds.toArray())
                .mapTo(String.class)
                .list();
        List<Poll> early = gone(polls);
        if (!early.isEmpty()) {
            early.forEach(p -> {
                polls.remove(p.instanceId);
                p.close();
            });
            return null;
        }
        if (!delivered.isEmpty()) {
            InvocationState.LIFECYCLE.taken(InvocationState.RELEASED, InvocationState.DELIVERED);
            progress.invocationsChanged(handle, command, delivered, InvocationState.DELIVERED);
        }
        return delivered;
    }

    /**
     * The polls nobody reads any more. A poll superseded by a newer poll of the same agent waiting on this node is
     * not one of them: the newer poll is reserved in its place and gets the answer (its agent reads only that one).
     */
    private List<Poll> gone(Map<String, Poll> polls) {
        long at = System.nanoTime();
        List<Poll> gone = new java.util.ArrayList<>();
        for (Poll poll : List.copyOf(polls.values())) {
            if (poll.abandoned(at, Claims.ABANDONED_AFTER_NANOS)) {
                gone.add(poll);
            } else if (poll.superseded()) {
                java.util.Optional<Poll> newer = deliverer.successor(poll);
                if (newer.isPresent()) {
                    polls.put(poll.instanceId, newer.get());
                    poll.close();
                } else {
                    gone.add(poll);
                }
            }
        }
        return gone;
    }

    private static Invocation invocation(CommandRow command) {
        return new Invocation(
                command.commandId().toString(),
                "",
                command.documentName(),
                command.documentVersion(),
                command.parameters(),
                new RawValue(command.plan()),
                command.executionTimeoutSeconds(),
                command.requestedAt());
    }

    private static Invocation withInstance(Invocation i, String instanceId) {
        return new Invocation(
                i.commandId(),
                instanceId,
                i.documentName(),
                i.documentVersion(),
                i.parameters(),
                i.plan(),
                i.executionTimeoutSeconds(),
                i.requestedDateTime());
    }
}
