package dev.patchtide.server.commands;

import dev.patchtide.server.background.PollingLoop;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The changes of a command sent to a fleet that are told after the transaction that made them rather than inside it:
 * SendCommand's Pending (ten thousand events in its transaction kept the first agents waiting for them), and the
 * InProgress of each claim that hands its invocations out (a thousand Pending and a thousand InProgress events in
 * each claim kept the next polls waiting), and of SendCommand's own hand-out ({@link Handout}: set by the same INSERT
 * that defers the Pending). One row per invocation ({@code command_pending_changes}; instance {@link
 * #COMMAND} for the command's own Pending) holds what is still to tell of it: its Pending, its InProgress (and that
 * change's time), or both. Whoever deletes a row tells what it holds, Pending first: this loop, once this node's
 * hand-out is done (or at a node's start after a crash), or, first, any later change of the same invocation or command
 * ({@link Progress}). So each is told once, in order, each at the time it was made.
 */
final class PendingChanges {
    /** Fewer invocations than this are told inside their transactions: cheap there, and simplest. */
    static final int DEFER_AT_LEAST = 100;
    /** Stands in the table for the command's own Pending (no instance id is empty). */
    static final String COMMAND = "";
    /** Changes told per transaction: a claim that needs one of these rows waits at most for one such batch. */
    private static final int BATCH = 500;
    /**
     * The rows of some instances of a command that nobody holds, picked once (MATERIALIZED): as {@code IN
     * (subquery)} the planner may run the locking subquery again for each row it joins (a claim of 1,000 took 4-5 s
     * in the bench at load 15; main's loop once took a whole send's 10,000 rows in one batch of 500).
     */
    private static final String UNHELD = "WITH picked AS MATERIALIZED (SELECT command_id, instance_id"
            + " FROM command_pending_changes WHERE command_id = :id AND instance_id = ANY(:ids) FOR UPDATE SKIP LOCKED)";
    /** Also covers rows a node left when it died between SendCommand's commit and telling them. */
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);
    /**
     * The hand-out first: a batch waits at most this long for the node's claims and their answers (it took the two
     * cores from them, 10,000 polls at once). Events come at most this much later; their times are their changes'.
     */
    static final Duration TOLD_AFTER_HAND_OUT_AT_MOST = Duration.ofSeconds(10);

    /** What is still to tell of one invocation (or, as {@link #COMMAND}, of the command). */
    record Untold(String instanceId, boolean pending, Instant inProgressAt) {}

    private final Jdbi jdbi;
    private final Progress progress;
    private final Deliverer deliverer;
    private final PollingLoop loop;

    PendingChanges(Jdbi jdbi, Progress progress, Deliverer deliverer) {
        this.jdbi = jdbi;
        this.progress = progress;
        this.deliverer = deliverer;
        this.loop = new PollingLoop("command-pending-changes", IDLE_POLL, this::round);
        progress.deferredTo(loop::wake);
    }

    PollingLoop loop() {
        return loop;
    }

    /**
     * In SendCommand's transaction: the command's and its invocations' Pending are to be told after the commit, and
     * the InProgress (at {@code at}) of those SendCommand handed out itself ({@code handed}, by position; null: none).
     */
    void defer(Handle handle, UUID commandId, String[] instanceIds, Boolean[] handed, Instant at) {
        Boolean[] inProgress = handed;
        if (inProgress == null) {
            inProgress = new Boolean[instanceIds.length];
            java.util.Arrays.fill(inProgress, Boolean.FALSE);
        }
        handle.createUpdate("INSERT INTO command_pending_changes (command_id, instance_id, in_progress_at)"
                        + " SELECT :id, i, CASE WHEN handed THEN CAST(:at AS timestamptz) END"
                        + " FROM unnest(:instances, :handed) AS x(i, handed) UNION ALL SELECT :id, :command, NULL")
                .bind("id", commandId)
                .bind("command", COMMAND)
                .bind("at", at)
                .bindArray("instances", String.class, (Object[]) instanceIds)
                .bindArray("handed", Boolean.class, (Object[]) inProgress)
                .execute();
        handle.afterCommit(loop::wake);
    }

    /** In SendCommand's transaction: these instances were not handed out after all (see {@link Handout}). */
    static void handedBack(Handle handle, UUID commandId, String[] instanceIds) {
        handle.createUpdate("UPDATE command_pending_changes SET in_progress_at = NULL"
                        + " WHERE command_id = :id AND instance_id = ANY(:ids)")
                .bind("id", commandId)
                .bindArray("ids", String.class, (Object[]) instanceIds)
                .execute();
    }

    /**
     * In a claim's transaction: the InProgress of {@code instanceIds} (at {@code at}) is to be told after the commit,
     * after their Pending. Added to the rows still untold (those nobody holds first, as {@link #take}), else a new
     * row once the Pending's teller has committed: the InProgress can never be told before its Pending.
     */
    static void deferInProgress(Handle handle, UUID commandId, List<String> instanceIds, Instant at) {
        String[] ids = instanceIds.toArray(String[]::new);
        Set<String> marked = new HashSet<>(handle.createQuery(UNHELD
                        + " UPDATE command_pending_changes p SET in_progress_at = :at FROM picked"
                        + " WHERE p.command_id = picked.command_id AND p.instance_id = picked.instance_id"
                        + " RETURNING p.instance_id")
                .bind("id", commandId)
                .bind("at", at)
                .bindArray("ids", String.class, (Object[]) ids)
                .mapTo(String.class)
                .list());
        if (marked.size() < ids.length) {
            String[] rest =
                    instanceIds.stream().filter(i -> !marked.contains(i)).toArray(String[]::new);
            // Rows held now are in the loop's batches in flight: this waits for those alone, then finds each row
            // gone (told: a new row) or still there (rolled back: it is marked).
            handle.createUpdate("INSERT INTO command_pending_changes (command_id, instance_id, pending, in_progress_at)"
                            + " SELECT :id, i, false, :at FROM unnest(:ids) AS i ON CONFLICT (command_id, instance_id)"
                            + " DO UPDATE SET in_progress_at = EXCLUDED.in_progress_at")
                    .bind("id", commandId)
                    .bind("at", at)
                    .bindArray("ids", String.class, (Object[]) rest)
                    .execute();
        }
    }

    /**
     * Takes (deletes) the untold changes of {@code instanceIds} of a command, and its own: the caller tells them
     * before its own change. Those another transaction is telling (the loop) are waited for, and then gone.
     */
    static List<Untold> take(Handle handle, UUID commandId, List<String> instanceIds) {
        String[] ids = new String[instanceIds.size() + 1];
        ids[0] = COMMAND;
        for (int i = 0; i < instanceIds.size(); i++) {
            ids[i + 1] = instanceIds.get(i);
        }
        // First what nobody holds. One DELETE alone would wait for the loop's batch holding its first row, then
        // the next, and so on: a claim's instances are spread over all of the loop's batches, so the claim waited
        // for the whole command's Pending. Rows held now can only be in the batches in flight: the second DELETE
        // waits for those alone (and takes them, should one roll back).
        List<Untold> taken = new ArrayList<>(handle.createQuery(
                        UNHELD
                                + " DELETE FROM command_pending_changes p USING picked WHERE p.command_id = picked.command_id"
                                + " AND p.instance_id = picked.instance_id RETURNING p.instance_id, p.pending, p.in_progress_at")
                .bind("id", commandId)
                .bindArray("ids", String.class, (Object[]) ids)
                .map(PendingChanges::untold)
                .list());
        if (taken.size() < ids.length) {
            taken.addAll(handle.createQuery("DELETE FROM command_pending_changes WHERE command_id = :id"
                            + " AND instance_id = ANY(:ids) RETURNING instance_id, pending, in_progress_at")
                    .bind("id", commandId)
                    .bindArray("ids", String.class, (Object[]) ids)
                    .map(PendingChanges::untold)
                    .list());
        }
        return taken;
    }

    private static Untold untold(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Untold(rs.getString(1), rs.getBoolean(2), instant(rs.getObject(3, OffsetDateTime.class)));
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }

    /**
     * Whether {@code commandId} has untold changes, or may still get some (an invocation not yet handed out), as
     * one snapshot sees it (this transaction's own takes included).
     */
    static boolean anyLeft(Handle handle, UUID commandId) {
        return handle.createQuery("SELECT EXISTS (SELECT 1 FROM command_pending_changes WHERE command_id = :id)"
                        + " OR EXISTS (SELECT 1 FROM command_invocations WHERE command_id = :id"
                        + " AND state IN ('QUEUED', 'RELEASED'))")
                .bind("id", commandId)
                .mapTo(Boolean.class)
                .one();
    }

    /** Tells one batch of untold changes, skipping rows another transaction is telling; true when more may wait. */
    private boolean round() {
        try {
            deliverer.awaitHandedOut(TOLD_AFTER_HAND_OUT_AT_MOST);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return jdbi.inTransaction(handle -> {
            Map<UUID, List<Untold>> taken = new LinkedHashMap<>();
            // Picked once (MATERIALIZED): as an IN (subquery) the planner may run the LIMIT again for each row,
            // and one batch took all 10,000 rows of a send (bench, main at c6b6321, load 15), every claim behind it.
            handle.createQuery(
                            "WITH picked AS MATERIALIZED (SELECT command_id, instance_id FROM command_pending_changes"
                                    + " ORDER BY command_id, instance_id LIMIT :batch FOR UPDATE SKIP LOCKED)"
                                    + " DELETE FROM command_pending_changes p USING picked WHERE p.command_id = picked.command_id"
                                    + " AND p.instance_id = picked.instance_id"
                                    + " RETURNING p.command_id, p.instance_id, p.pending, p.in_progress_at")
                    .bind("batch", BATCH)
                    .map((rs, ctx) -> Map.entry(
                            rs.getObject(1, UUID.class),
                            new Untold(
                                    rs.getString(2), rs.getBoolean(3), instant(rs.getObject(4, OffsetDateTime.class)))))
                    .forEach(e -> taken.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(e.getValue()));
            int count = 0;
            for (Map.Entry<UUID, List<Untold>> entry : taken.entrySet()) {
                count += entry.getValue().size();
                // A command deleted meanwhile has nobody left to hear of it: its rows just go.
                CommandRow.find(handle, entry.getKey())
                        .ifPresent(command -> progress.tellDeferred(handle, command, entry.getValue()));
            }
            if (count > 0) {
                Timeline.mark("pending.told", count);
            }
            return count == BATCH;
        });
    }
}
