package dev.patchtide.server.commands;

import dev.patchtide.server.commands.AgentMessages.HandedInvocation;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * For a batch of waiting polls: one look (outside any transaction) at what their instances have, then one
 * transaction that claims everything released for the polls that have work, marks it delivered, and answers
 * each poll after the commit. A poll superseded meanwhile, or waiting so long its agent has stopped reading,
 * gets nothing: the claim is rolled back and looked at again (at most once, and not lost).
 */
final class Claims {
    /** Agents stop reading after 60 s: what a poll this old claimed would be written to nobody. */
    static final long ABANDONED_AFTER_NANOS = Duration.ofSeconds(45).toNanos();

    private final Jdbi jdbi;
    private final Progress progress;
    private final Settler settler;

    Claims(Jdbi jdbi, Progress progress, Settler settler) {
        this.jdbi = jdbi;
        this.progress = progress;
        this.settler = settler;
    }

    private record Open(String instanceId, String commandId, boolean released, boolean told) {}

    private record Pair(String instanceId, UUID commandId) {}

    /**
     * Looks and claims for {@code polls}; answers the instances whose claims were put back (to look again). {@code
     * claiming} runs once some of them have work, before their claim.
     */
    List<String> deliver(List<Poll> polls, Runnable claiming) {
        List<String> ids = polls.stream().map(p -> p.instanceId).toList();
        List<Open> open;
        try {
            open = jdbi.withHandle(h -> h.createQuery("SELECT instance_id, command_id::text, state = 'RELEASED',"
                            + " cancel_told FROM command_invocations WHERE instance_id = ANY(:ids)"
                            + " AND state IN ('RELEASED', 'CANCELLING') ORDER BY command_id")
                    .bindArray("ids", String.class, ids)
                    .map((rs, ctx) -> new Open(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4)))
                    .list());
        } catch (RuntimeException e) {
            polls.forEach(p -> p.fail(e));
            return List.of();
        }
        Map<String, List<Open>> byInstance = new HashMap<>();
        open.forEach(o -> byInstance
                .computeIfAbsent(o.instanceId(), k -> new ArrayList<>())
                .add(o));
        List<Poll> reserved = new ArrayList<>();
        for (Poll poll : polls) {
            List<Open> own = byInstance.getOrDefault(poll.instanceId, List.of());
            poll.looked(own.stream().map(Open::commandId).toList());
            boolean work = own.stream().anyMatch(o -> o.released() || !o.told());
            if (work && poll.reserve()) {
                reserved.add(poll);
            } else {
                poll.expired();
            }
        }
        if (Timeline.on()) {
            Timeline.mark("deliver.looked", polls.size() + " polls, " + reserved.size() + " with work");
        }
        if (reserved.isEmpty()) {
            return List.of();
        }
        claiming.run();
        // Cancellations to tell are read (and marked told) only when the look saw some: a cancel committed after
        // the look wakes these instances again, so their next poll tells it.
        boolean cancelling = open.stream().anyMatch(o -> !o.released());
        return claim(reserved, cancelling);
    }

    private List<String> claim(List<Poll> reserved, boolean cancelling) {
        Map<String, Poll> polls = new LinkedHashMap<>();
        reserved.forEach(p -> polls.put(p.instanceId, p));
        Map<String, List<HandedInvocation>> invocations = new HashMap<>();
        Map<String, Set<String>> cancellations = new HashMap<>();
        Set<String> told = new HashSet<>();
        Set<String> gone = new HashSet<>();
        Set<UUID> pending = new HashSet<>();
        try {
            jdbi.useTransaction(handle -> {
                Instant now = progress.now();
                String[] ids = polls.keySet().toArray(String[]::new);
                List<Pair> claimed = handle.createQuery("WITH picked AS MATERIALIZED (SELECT command_id,"
                                + " instance_id FROM command_invocations WHERE instance_id = ANY(:ids)"
                                + " AND state = 'RELEASED' FOR UPDATE SKIP LOCKED)"
                                + " UPDATE command_invocations ci SET state = 'DELIVERED', delivered_at = :now,"
                                // InProgress from the hand-out on, as AWS has it from the agent's receipt: the
                                // agent sends no InProgress report of its own (its result brings its real start).
                                + " execution_start = coalesce(ci.execution_start, :now),"
                                + " changed_at = :now, silent_deadline = GREATEST(c.expires_after,"
                                + " CAST(:now AS timestamptz) + c.execution_timeout_s * interval '1 second')"
                                + " + :grace * interval '1 second'"
                                + " FROM picked, commands c WHERE c.command_id = ci.command_id"
                                + " AND ci.instance_id = picked.instance_id AND ci.command_id = picked.command_id"
                                + " AND ci.state = 'RELEASED' RETURNING ci.instance_id, ci.command_id")
                        .bind("now", now)
                        .bind("grace", Launcher.silentGrace().toSeconds())
                        .bindArray("ids", String.class, (Object[]) ids)
                        .map((rs, ctx) -> new Pair(rs.getString(1), rs.getObject(2, UUID.class)))
                        .list();
                List<Pair> untold = List.of();
                if (cancelling) {
                    untold = handle.createQuery("UPDATE command_invocations SET cancel_told = true WHERE"
                                    + " instance_id = ANY(:ids) AND state = 'CANCELLING' AND NOT cancel_told"
                                    + " RETURNING instance_id, command_id")
                            .bindArray("ids", String.class, (Object[]) ids)
                            .map((rs, ctx) -> new Pair(rs.getString(1), rs.getObject(2, UUID.class)))
                            .list();
                    handle.createQuery("SELECT instance_id, command_id::text FROM command_invocations"
                                    + " WHERE instance_id = ANY(:ids) AND state = 'CANCELLING'")
                            .bindArray("ids", String.class, (Object[]) ids)
                            .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                            .forEach(e -> cancellations
                                    .computeIfAbsent(e.getKey(), k -> new TreeSet<>())
                                    .add(e.getValue()));
                }
                untold.stream().filter(p -> !gone.contains(p.instanceId())).forEach(p -> told.add(p.instanceId()));
                Map<UUID, List<String>> byCommand = new LinkedHashMap<>();
                claimed.stream().filter(p -> !gone.contains(p.instanceId())).forEach(p -> byCommand
                        .computeIfAbsent(p.commandId(), k -> new ArrayList<>())
                        .add(p.instanceId()));
                for (Map.Entry<UUID, List<String>> entry : byCommand.entrySet()) {
                    CommandRow command = CommandRow.find(handle, entry.getKey()).orElseThrow();
                    entry.getValue()
                            .forEach(i -> InvocationState.LIFECYCLE.taken(
                                    InvocationState.RELEASED, InvocationState.DELIVERED));
                    progress.handedOut(handle, command, entry.getValue());
                    if (command.state() == CommandState.PENDING) {
                        pending.add(command.commandId());
                    }
                    InvocationTemplate template = new InvocationTemplate(command);
                    for (String instanceId : entry.getValue()) {
                        invocations
                                .computeIfAbsent(instanceId, k -> new ArrayList<>())
                                .add(template.of(instanceId));
                    }
                }
                // Checked last, just before the commit: if a poll is gone by now, nothing of this batch is
                // handed out (rare: its agent restarted or gave up); the others are claimed again at once.
                long at = System.nanoTime();
                for (Poll poll : polls.values()) {
                    if (poll.superseded() || poll.abandoned(at, ABANDONED_AFTER_NANOS)) {
                        gone.add(poll.instanceId);
                    }
                }
                if (!gone.isEmpty()) {
                    throw new Unanswerable();
                }
            });
        } catch (Unanswerable e) {
            for (Poll poll : reserved) {
                if (gone.contains(poll.instanceId)) {
                    poll.close();
                } else {
                    poll.unreserve();
                }
            }
            return List.copyOf(polls.keySet());
        } catch (RuntimeException e) {
            reserved.forEach(p -> p.fail(e));
            return List.of();
        }
        Timeline.mark("deliver.committed", reserved.size());
        for (Poll poll : reserved) {
            List<HandedInvocation> own = invocations.getOrDefault(poll.instanceId, List.of());
            if (!own.isEmpty() || told.contains(poll.instanceId)) {
                poll.answer(new ReceiveCommandInvocationsResult(
                        own, List.copyOf(cancellations.getOrDefault(poll.instanceId, Set.of()))));
            } else {
                // Its work went to another node, or its rows were locked: it waits on.
                poll.looked(List.copyOf(cancellations.getOrDefault(poll.instanceId, Set.of())));
                poll.unreserve();
            }
        }
        Timeline.mark("deliver.answered", reserved.size());
        // A command's own lock is taken only after the claim, by the Settler: a claim never waits for a command.
        pending.forEach(settler::settleSoon);
        return List.of();
    }

    /** Rolls a claim back: part of its answer would reach nobody. */
    private static final class Unanswerable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unanswerable() {
            super("a poll was superseded or abandoned", null, false, false);
        }
    }
}
