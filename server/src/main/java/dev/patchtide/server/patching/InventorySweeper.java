package dev.patchtide.server.patching;

import dev.patchtide.server.background.PollingLoop;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes installed inventories that no instance refers to: those of deregistered instances, and rows any
 * other path left behind (a scan moving an instance to another inventory releases the old one itself).
 *
 * <p>A deregistered instance keeps its {@code instance_patch_states} row (DescribeInstancePatchStates still
 * lists it) but nothing reads its inventory any more: DescribeInstancePatches refuses it and re-evaluation
 * skips it. So a round first clears {@code inventory_hash} of deregistered instances (also those deregistered
 * before this sweeper existed, or by a node that does not run it), then deletes inventories no row names.
 *
 * <p>Safe against concurrent ingest without waiting for it: ingest share-locks an inventory ({@code FOR KEY
 * SHARE}) before an instance refers to it, and the foreign key's own check takes the same lock. The sweeper
 * locks candidates {@code FOR UPDATE SKIP LOCKED}, so it passes over every inventory an open transaction is
 * about to refer to; once it holds the lock nobody can add a reference, so checking again for referrers
 * with a fresh statement before the delete is exact. An ingest that comes after waits for the short sweep
 * transaction and then finds the row gone: with the inventory in its report it inserts it again, with the
 * hash alone it answers InventoryRequired and the agent resends it, as after a database restore.
 *
 * <p>An inventory is uploaded in the same transaction as the report that refers to it, so a fresh one is
 * never seen unreferenced; the grace period only keeps the sweeper off rows younger than an hour in case a
 * future upload path stores an inventory ahead of its first use. Every step is bounded by the batch size,
 * and each round is one short transaction; several server nodes can sweep side by side.
 */
public final class InventorySweeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InventorySweeper.class);

    /** Inventories younger than this are left alone even when nobody refers to them yet. */
    static final Duration GRACE = Duration.ofHours(1);

    static final int BATCH = 1_000;

    private static final String UNREFERENCED =
            " NOT EXISTS (SELECT 1 FROM instance_patch_states s WHERE s.inventory_hash = i.inventory_hash)";

    /** What one round did: instances of deregistered hosts released, inventories deleted. */
    record Round(int released, int deleted, boolean full) {}

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final int batchSize;
    private final Consumer<List<String>> beforeDelete;
    private final PollingLoop loop;

    /** Sweeps at start and then every {@code poll}; going again at once while rounds are full. */
    public InventorySweeper(Jdbi jdbi, InstantSource clock, Duration poll) {
        this(jdbi, clock, poll, BATCH, locked -> {});
    }

    /** @param beforeDelete told of the locked candidates just before they are deleted (tests race it) */
    InventorySweeper(
            Jdbi jdbi, InstantSource clock, Duration poll, int batchSize, Consumer<List<String>> beforeDelete) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.batchSize = batchSize;
        this.beforeDelete = beforeDelete;
        this.loop = new PollingLoop("inventory-sweeper", poll, () -> sweepOnce().full());
    }

    public InventorySweeper start() {
        loop.start();
        return this;
    }

    /** One bounded round in one transaction. */
    Round sweepOnce() {
        return jdbi.inTransaction(h -> {
            int released = releaseDeregistered(h);
            List<String> candidates = h.createQuery("SELECT inventory_hash FROM installed_inventories i"
                            + " WHERE created_at < :cutoff AND" + UNREFERENCED
                            + " ORDER BY inventory_hash LIMIT :limit FOR UPDATE SKIP LOCKED")
                    .bind("cutoff", clock.instant().minus(GRACE))
                    .bind("limit", batchSize)
                    .mapTo(String.class)
                    .list();
            if (candidates.isEmpty()) {
                return new Round(released, 0, released >= batchSize);
            }
            beforeDelete.accept(candidates);
            // A new statement sees references committed since the candidates were read; none can be added now.
            int deleted = h.createUpdate("DELETE FROM installed_inventories i"
                            + " WHERE inventory_hash = ANY(:hashes) AND" + UNREFERENCED)
                    .bind("hashes", PatchStateRows.texts(candidates))
                    .execute();
            if (deleted > 0) {
                log.info("deleted {} installed inventories no instance refers to", deleted);
            }
            return new Round(released, deleted, released >= batchSize || candidates.size() >= batchSize);
        });
    }

    /** Clears the inventory of deregistered instances; rows another transaction holds are left for later. */
    private int releaseDeregistered(Handle h) {
        return h.createUpdate("UPDATE instance_patch_states SET inventory_hash = NULL WHERE instance_id IN"
                        + " (SELECT s.instance_id FROM instance_patch_states s JOIN managed_instances m"
                        + " USING (instance_id) WHERE s.inventory_hash IS NOT NULL AND m.deregistered_at IS NOT NULL"
                        + " LIMIT :limit FOR UPDATE OF s SKIP LOCKED)")
                .bind("limit", batchSize)
                .execute();
    }

    @Override
    public void close() {
        loop.close();
    }
}
