package dev.patchtide.server.commands;

import dev.patchtide.server.background.PollingLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The Pending changes of a command sent to a fleet, told after SendCommand's commit rather than inside it: ten
 * thousand events in its transaction kept the first agents waiting for them. SendCommand leaves one row per change
 * ({@code command_pending_changes}; instance {@link #COMMAND} for the command's own), and whoever deletes a row tells
 * that change: this loop, soon after the commit (or at a node's start after a crash), or, first, any later change of
 * the same invocation or command ({@link Progress}). So each is told once, and before the change that follows it: a
 * claim's InProgress waits for the loop's transaction that holds its row, or tells the Pending itself.
 */
final class PendingChanges {
    /** Fewer invocations than this are told inside SendCommand's transaction: cheap there, and simplest. */
    static final int DEFER_AT_LEAST = 100;
    /** Stands in the table for the command's own Pending (no instance id is empty). */
    static final String COMMAND = "";
    /** Changes told per transaction: a claim that needs one of these rows waits at most for one such batch. */
    private static final int BATCH = 500;
    /** Also covers rows a node left when it died between SendCommand's commit and telling them. */
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);

    private final Jdbi jdbi;
    private final Progress progress;
    private final PollingLoop loop;

    PendingChanges(Jdbi jdbi, Progress progress) {
        this.jdbi = jdbi;
        this.progress = progress;
        this.loop = new PollingLoop("command-pending-changes", IDLE_POLL, this::round);
    }

    PollingLoop loop() {
        return loop;
    }

    /** In SendCommand's transaction: the command's and its invocations' Pending are to be told after the commit. */
    void defer(Handle handle, UUID commandId, String[] instanceIds) {
        handle.createUpdate("INSERT INTO command_pending_changes (command_id, instance_id)"
                        + " SELECT :id, i FROM unnest(:instances) AS i UNION ALL SELECT :id, :command")
                .bind("id", commandId)
                .bind("command", COMMAND)
                .bindArray("instances", String.class, (Object[]) instanceIds)
                .execute();
        handle.afterCommit(loop::wake);
    }

    /**
     * Takes (deletes) the untold changes of {@code instanceIds} of a command, and its own: the caller tells them
     * before its own change. Those another transaction is telling (the loop) are waited for, and then gone.
     */
    static List<String> take(Handle handle, UUID commandId, List<String> instanceIds) {
        String[] ids = new String[instanceIds.size() + 1];
        ids[0] = COMMAND;
        for (int i = 0; i < instanceIds.size(); i++) {
            ids[i + 1] = instanceIds.get(i);
        }
        // First what nobody holds. One DELETE alone would wait for the loop's batch holding its first row, then
        // the next, and so on: a claim's instances are spread over all of the loop's batches, so the claim waited
        // for the whole command's Pending. Rows held now can only be in the batches in flight: the second DELETE
        // waits for those alone (and takes them, should one roll back).
        // Picked once (MATERIALIZED): as an IN (subquery) the planner may run the locking subquery again per row.
        List<String> taken = new ArrayList<>(handle.createQuery("WITH picked AS MATERIALIZED (SELECT command_id,"
                        + " instance_id FROM command_pending_changes WHERE command_id = :id AND instance_id = ANY(:ids)"
                        + " FOR UPDATE SKIP LOCKED) DELETE FROM command_pending_changes p USING picked"
                        + " WHERE p.command_id = picked.command_id AND p.instance_id = picked.instance_id"
                        + " RETURNING p.instance_id")
                .bind("id", commandId)
                .bindArray("ids", String.class, (Object[]) ids)
                .mapTo(String.class)
                .list());
        if (taken.size() < ids.length) {
            taken.addAll(handle.createQuery("DELETE FROM command_pending_changes WHERE command_id = :id"
                            + " AND instance_id = ANY(:ids) RETURNING instance_id")
                    .bind("id", commandId)
                    .bindArray("ids", String.class, (Object[]) ids)
                    .mapTo(String.class)
                    .list());
        }
        return taken;
    }

    /** Whether {@code commandId} has untold changes, as this transaction sees them (its own takes included). */
    static boolean anyLeft(Handle handle, UUID commandId) {
        return handle.createQuery("SELECT EXISTS (SELECT 1 FROM command_pending_changes WHERE command_id = :id)")
                .bind("id", commandId)
                .mapTo(Boolean.class)
                .one();
    }

    /** Tells one batch of untold changes, skipping rows another transaction is telling; true when more may wait. */
    private boolean round() {
        return jdbi.inTransaction(handle -> {
            Map<UUID, List<String>> taken = new LinkedHashMap<>();
            // Picked once (MATERIALIZED): as an IN (subquery) the planner may run the LIMIT again for each row, and
            // one "batch" took all 10,000 rows of a send, every claim waiting behind it (bench, branch answers).
            handle.createQuery("WITH picked AS MATERIALIZED (SELECT command_id, instance_id"
                            + " FROM command_pending_changes ORDER BY command_id, instance_id LIMIT :batch"
                            + " FOR UPDATE SKIP LOCKED) DELETE FROM command_pending_changes p USING picked"
                            + " WHERE p.command_id = picked.command_id AND p.instance_id = picked.instance_id"
                            + " RETURNING p.command_id, p.instance_id")
                    .bind("batch", BATCH)
                    .map((rs, ctx) -> Map.entry(rs.getObject(1, UUID.class), rs.getString(2)))
                    .forEach(e -> taken.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(e.getValue()));
            int count = 0;
            for (Map.Entry<UUID, List<String>> entry : taken.entrySet()) {
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
