package dev.patchtide.server.commands;

import dev.patchtide.server.commands.CommandListener.CommandChange;
import dev.patchtide.server.commands.CommandListener.InvocationChange;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Handle;

/**
 * Moves invocations and commands through their lifecycles inside the caller's transaction, and tells the
 * listeners of every status change there. Lock order: a command's row before its invocations' rows; code that
 * holds an invocation's row never waits for its command's (the agent's claim and report), so nothing deadlocks.
 */
final class Progress {
    private final InstantSource clock;
    private final Wakeups wakeups;
    private final List<CommandListener> listeners = new CopyOnWriteArrayList<>();
    /** Commands with no deferred change left (a cache: forgetting one only costs a look). */
    private final Set<UUID> allTold = ConcurrentHashMap.newKeySet();

    private static final int ALL_TOLD_KEPT = 10_000;
    /** Runs after a commit that left changes to tell ({@link PendingChanges}'s loop). */
    private volatile Runnable deferred = () -> {};

    Progress(InstantSource clock, Wakeups wakeups) {
        this.clock = clock;
        this.wakeups = wakeups;
    }

    void deferredTo(Runnable wake) {
        this.deferred = wake;
    }

    void addListener(CommandListener listener) {
        listeners.add(listener);
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Tells the listeners of a new command (Pending; Success when no instance matched) and its invocations. */
    void created(Handle handle, CommandRow command, List<String> instanceIds) {
        if (listeners.isEmpty()) {
            return;
        }
        tellCommand(handle, command, command.state(), instanceIds, now());
        tellInvocations(handle, command, instanceIds, InvocationState.QUEUED, now());
    }

    /**
     * Moves the invocations of {@code command} that are in {@code from} (only {@code instanceId}'s when given) to
     * {@code to}, setting {@code extraSet} too (SQL assignments, may be empty); answers the instances moved.
     */
    List<String> move(
            Handle handle,
            CommandRow command,
            InvocationState from,
            InvocationState to,
            String instanceId,
            String extraSet,
            String extraWhere,
            java.util.Map<String, Object> binds) {
        InvocationState.LIFECYCLE.require(from, to);
        var update = handle.createUpdate("UPDATE command_invocations SET state = :to, changed_at = :now"
                        + (extraSet.isEmpty() ? "" : ", " + extraSet)
                        + " WHERE command_id = :id AND state = :from"
                        + (instanceId == null ? "" : " AND instance_id = :instance")
                        + (extraWhere.isEmpty() ? "" : " AND " + extraWhere)
                        + " RETURNING instance_id")
                .bind("to", to.name())
                .bind("from", from.name())
                .bind("now", now())
                .bind("id", command.commandId());
        if (instanceId != null) {
            update.bind("instance", instanceId);
        }
        binds.forEach(update::bind);
        List<String> moved =
                update.executeAndReturnGeneratedKeys().mapTo(String.class).list();
        moved(handle, command, from, to, moved);
        return moved;
    }

    /**
     * Records that the invocations of {@code command} on {@code instanceIds} went from {@code from} to {@code to}
     * (already written by the caller), and tells the listeners when their AWS status changed.
     */
    void moved(Handle handle, CommandRow command, InvocationState from, InvocationState to, List<String> instanceIds) {
        instanceIds.forEach(instance -> InvocationState.LIFECYCLE.taken(from, to));
        if (!from.status().equals(to.status()) || !from.details().equals(to.details())) {
            invocationsChanged(handle, command, instanceIds, to);
        }
    }

    List<String> move(Handle handle, CommandRow command, InvocationState from, InvocationState to) {
        return move(handle, command, from, to, null, "", "", java.util.Map.of());
    }

    /**
     * With the command locked: stops sending once errors exceed MaxErrors, else releases queued invocations up
     * to MaxConcurrency; then stores the counts and the command's state, telling listeners when it changed.
     */
    CommandRow settle(Handle handle, CommandRow command) {
        Counts counts = Counts.of(handle, command.commandId());
        if (!command.state().isFinal() && !command.cancelRequested()) {
            if (counts.errors() > command.errorLimit()) {
                move(handle, command, InvocationState.QUEUED, InvocationState.TERMINATED);
                move(handle, command, InvocationState.RELEASED, InvocationState.TERMINATED);
                counts = Counts.of(handle, command.commandId());
            } else {
                int room = command.concurrencyLimit() - counts.inFlight();
                if (room > 0 && counts.of(InvocationState.QUEUED) > 0) {
                    release(handle, command, room);
                    counts = Counts.of(handle, command.commandId());
                }
            }
        }
        CommandState next = CommandState.of(counts, command.errorLimit(), command.cancelRequested());
        if (command.state().isFinal()) {
            next = command.state();
        }
        handle.createUpdate("UPDATE commands SET state = :state, completed_count = :completed,"
                        + " error_count = :errors, delivery_timed_out_count = :deliveryTimedOut,"
                        + " queued_count = :queued, changed_at = CASE WHEN state = :state THEN changed_at ELSE :now END"
                        + " WHERE command_id = :id")
                .bind("state", next.name())
                .bind("completed", counts.completed())
                .bind("errors", counts.errors())
                .bind("deliveryTimedOut", counts.of(InvocationState.DELIVERY_TIMED_OUT))
                .bind("queued", counts.of(InvocationState.QUEUED))
                .bind("now", now())
                .bind("id", command.commandId())
                .execute();
        CommandRow settled = CommandRow.find(handle, command.commandId()).orElseThrow();
        if (next != command.state()) {
            List<String> targets = instanceIds(handle, command);
            CommandState from = command.state();
            if (from == CommandState.PENDING && !CommandState.LIFECYCLE.allows(from, next)) {
                // An agent took an invocation and the command was settled again before the claim's own settle.
                CommandState.LIFECYCLE.taken(from, CommandState.IN_PROGRESS);
                commandChanged(handle, settled, CommandState.IN_PROGRESS, targets);
                from = CommandState.IN_PROGRESS;
            }
            CommandState.LIFECYCLE.taken(from, next);
            commandChanged(handle, settled, next, targets);
        }
        return settled;
    }

    private void release(Handle handle, CommandRow command, int room) {
        InvocationState.LIFECYCLE.require(InvocationState.QUEUED, InvocationState.RELEASED);
        // Picked first, then updated by key: as one UPDATE ... FROM (picked) the planner, misled by the rows this
        // transaction just inserted, once joined 10,000 picked rows against the whole table (41 s).
        String[] picked = handle.createQuery(
                        "SELECT instance_id FROM command_invocations"
                                + " WHERE command_id = :id AND state = 'QUEUED' ORDER BY seq LIMIT :room FOR UPDATE SKIP LOCKED")
                .bind("id", command.commandId())
                .bind("room", room)
                .mapTo(String.class)
                .list()
                .toArray(String[]::new);
        List<String> released = picked.length == 0
                ? List.of()
                : handle.createQuery("UPDATE command_invocations SET state = 'RELEASED', released_at = :now,"
                                + " changed_at = :now WHERE command_id = :id AND instance_id = ANY(:picked)"
                                + " AND state = 'QUEUED' RETURNING instance_id")
                        .bind("now", now())
                        .bind("id", command.commandId())
                        .bindArray("picked", String.class, (Object[]) picked)
                        .mapTo(String.class)
                        .list();
        released.forEach(i -> InvocationState.LIFECYCLE.taken(InvocationState.QUEUED, InvocationState.RELEASED));
        Timeline.mark("release.updated", released.size());
        wakeups.notify(handle, released);
        Timeline.mark("release.notified");
    }

    private static List<String> instanceIds(Handle handle, CommandRow command) {
        return handle.createQuery("SELECT instance_id FROM command_invocations WHERE command_id = :id ORDER BY seq")
                .bind("id", command.commandId())
                .mapTo(String.class)
                .list();
    }

    void invocationChanged(Handle handle, CommandRow command, String instanceId, InvocationState state) {
        invocationsChanged(handle, command, List.of(instanceId), state);
    }

    /**
     * Tells the listeners of many invocations of one command that moved to {@code state}, in one call each; first
     * their Pending and the command's, when SendCommand left those to tell ({@link PendingChanges}).
     */
    void invocationsChanged(Handle handle, CommandRow command, List<String> instanceIds, InvocationState state) {
        if (listeners.isEmpty() || instanceIds.isEmpty()) {
            return;
        }
        tellDeferred(handle, command, takeDeferred(handle, command, instanceIds));
        tellInvocations(handle, command, instanceIds, state, now());
    }

    /**
     * A claim handed the invocations of {@code command} on {@code instanceIds} out (InProgress). A command sent to a
     * fleet, whose Pending SendCommand deferred, has this told after the claim's commit too ({@link PendingChanges}):
     * the claim then holds only its invocations' rows, and the next polls' claims need not wait for its events.
     */
    void handedOut(Handle handle, CommandRow command, List<String> instanceIds) {
        if (listeners.isEmpty() || instanceIds.isEmpty()) {
            return;
        }
        if (command.targetCount() < PendingChanges.DEFER_AT_LEAST) {
            invocationsChanged(handle, command, instanceIds, InvocationState.DELIVERED);
            return;
        }
        PendingChanges.deferInProgress(handle, command.commandId(), instanceIds, now());
        handle.afterCommit(deferred);
    }

    /** What was deferred of these changes; nothing to ask once a commit showed none left for the command. */
    private List<PendingChanges.Untold> takeDeferred(Handle handle, CommandRow command, List<String> instanceIds) {
        UUID id = command.commandId();
        if (allTold.contains(id)) {
            return List.of();
        }
        List<PendingChanges.Untold> taken = PendingChanges.take(handle, id, instanceIds);
        if (!PendingChanges.anyLeft(handle, id)) {
            // Only SendCommand and claims of invocations not yet handed out defer changes: with neither left as one
            // snapshot saw it, none ever will be.
            handle.afterCommit(() -> {
                if (allTold.size() >= ALL_TOLD_KEPT) {
                    allTold.clear();
                }
                allTold.add(id);
            });
        }
        return taken;
    }

    /**
     * Tells the deferred changes of {@code command} the caller has just taken, each at the time it was made: the
     * command's Pending first ({@link PendingChanges#COMMAND}), then its invocations' Pending, then their InProgress.
     */
    void tellDeferred(Handle handle, CommandRow command, List<PendingChanges.Untold> taken) {
        if (taken.isEmpty() || listeners.isEmpty()) {
            return;
        }
        List<String> pending = new ArrayList<>();
        SortedMap<Instant, List<String>> inProgress = new TreeMap<>();
        for (PendingChanges.Untold untold : taken) {
            if (untold.instanceId().equals(PendingChanges.COMMAND)) {
                tellCommand(handle, command, CommandState.PENDING, instanceIds(handle, command), command.requestedAt());
                continue;
            }
            if (untold.pending()) {
                pending.add(untold.instanceId());
            }
            if (untold.inProgressAt() != null) {
                inProgress
                        .computeIfAbsent(untold.inProgressAt(), k -> new ArrayList<>())
                        .add(untold.instanceId());
            }
        }
        tellInvocations(handle, command, pending, InvocationState.QUEUED, command.requestedAt());
        // One call per claim's time: alike events, one template each (AlikeEvents).
        inProgress.forEach((at, ids) -> tellInvocations(handle, command, ids, InvocationState.DELIVERED, at));
    }

    private void tellInvocations(
            Handle handle, CommandRow command, List<String> instanceIds, InvocationState state, Instant now) {
        if (instanceIds.isEmpty()) {
            return;
        }
        var notification = command.contractNotification();
        List<InvocationChange> changes = new java.util.ArrayList<>(instanceIds.size());
        for (String instanceId : instanceIds) {
            changes.add(new InvocationChange(
                    command.commandId().toString(),
                    instanceId,
                    command.documentName(),
                    state.status(),
                    state.details(),
                    command.requestedAt(),
                    notification,
                    now));
        }
        for (CommandListener listener : listeners) {
            listener.invocationsChanged(handle, changes);
        }
    }

    private void commandChanged(Handle handle, CommandRow command, CommandState state, List<String> instanceIds) {
        if (listeners.isEmpty()) {
            return;
        }
        tellDeferred(handle, command, takeDeferred(handle, command, List.of()));
        tellCommand(handle, command, state, instanceIds, now());
    }

    private void tellCommand(
            Handle handle, CommandRow command, CommandState state, List<String> instanceIds, Instant now) {
        CommandChange change = new CommandChange(
                command.commandId().toString(),
                command.documentName(),
                state.status(),
                state.details(),
                instanceIds,
                command.parameters(),
                command.requestedAt(),
                command.expiresAfter(),
                command.contractNotification(),
                now);
        for (CommandListener listener : listeners) {
            listener.commandChanged(handle, change);
        }
    }
}
