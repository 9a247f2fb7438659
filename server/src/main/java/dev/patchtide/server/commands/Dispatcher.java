package dev.patchtide.server.commands;

import dev.patchtide.server.background.PollingLoop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The commands' background round, on every server node: ends undelivered invocations at the command's delivery
 * deadline, ends invocations whose agent went silent past the command's expiry, and releases queued invocations
 * a crash left behind. Each command is claimed with {@code FOR UPDATE SKIP LOCKED}, so nodes share the work.
 */
final class Dispatcher {
    private static final int BATCH = 50;
    /** How often open commands are settled again, for a settle that failed or a node that died before it. */
    private static final Duration RESETTLE = Duration.ofSeconds(10);

    private final Jdbi jdbi;
    private final Progress progress;
    private final PollingLoop loop;
    private java.time.Instant nextResettle = java.time.Instant.MIN;

    Dispatcher(Jdbi jdbi, Progress progress, Duration idlePoll) {
        this.jdbi = jdbi;
        this.progress = progress;
        this.loop = new PollingLoop("command-dispatcher", idlePoll, this::round);
    }

    PollingLoop loop() {
        return loop;
    }

    private boolean round() {
        boolean busy = deliveryTimeouts();
        busy |= silentAgents();
        releaseLeftovers();
        resettleOpen();
        return busy;
    }

    private boolean deliveryTimeouts() {
        List<UUID> due = jdbi.withHandle(h -> h.createQuery("SELECT command_id FROM commands c"
                        + " WHERE state IN ('PENDING', 'IN_PROGRESS', 'CANCELLING') AND delivery_deadline <= :now"
                        + " AND EXISTS (SELECT 1 FROM command_invocations i WHERE i.command_id = c.command_id"
                        + " AND i.state IN ('QUEUED', 'RELEASED')) LIMIT :batch")
                .bind("now", progress.now())
                .bind("batch", BATCH)
                .mapTo(UUID.class)
                .list());
        for (UUID id : due) {
            jdbi.useTransaction(h -> CommandRow.tryLock(h, id).ifPresent(command -> {
                progress.move(h, command, InvocationState.QUEUED, InvocationState.DELIVERY_TIMED_OUT);
                progress.move(h, command, InvocationState.RELEASED, InvocationState.DELIVERY_TIMED_OUT);
                progress.settle(h, command);
            }));
        }
        return due.size() == BATCH;
    }

    private boolean silentAgents() {
        List<UUID> due = jdbi.withHandle(h -> h.createQuery("SELECT DISTINCT command_id FROM command_invocations"
                        + " WHERE state IN ('DELIVERED', 'CANCELLING') AND silent_deadline <= :now LIMIT :batch")
                .bind("now", progress.now())
                .bind("batch", BATCH)
                .mapTo(UUID.class)
                .list());
        for (UUID id : due) {
            jdbi.useTransaction(h -> CommandRow.tryLock(h, id).ifPresent(command -> {
                Map<String, Object> now = Map.of("deadline", progress.now());
                String silent = "silent_deadline <= :deadline";
                progress.move(
                        h,
                        command,
                        InvocationState.DELIVERED,
                        InvocationState.DELIVERY_TIMED_OUT,
                        null,
                        "",
                        silent,
                        now);
                progress.move(h, command, InvocationState.CANCELLING, InvocationState.CANCELLED, null, "", silent, now);
                progress.settle(h, command);
            }));
        }
        return due.size() == BATCH;
    }

    /** Every change that frees room releases the next invocations itself; this covers a node that died first. */
    private void releaseLeftovers() {
        List<UUID> queued = jdbi.withHandle(h -> h.createQuery("SELECT command_id FROM commands"
                        + " WHERE queued_count > 0 AND NOT cancel_requested LIMIT :batch")
                .bind("batch", BATCH)
                .mapTo(UUID.class)
                .list());
        for (UUID id : queued) {
            jdbi.useTransaction(h -> CommandRow.tryLock(h, id).ifPresent(command -> progress.settle(h, command)));
        }
    }

    /**
     * Agents' reports are settled after their own commit (see Settler); one that was not (its settle failed, its
     * node died) is settled here: every open command, now and then.
     */
    private void resettleOpen() {
        java.time.Instant now = progress.now();
        if (now.isBefore(nextResettle)) {
            return;
        }
        nextResettle = now.plus(RESETTLE);
        List<UUID> open = jdbi.withHandle(h -> h.createQuery("SELECT command_id FROM commands"
                        + " WHERE state IN ('PENDING', 'IN_PROGRESS', 'CANCELLING') ORDER BY delivery_deadline")
                .mapTo(UUID.class)
                .list());
        for (UUID id : open) {
            jdbi.useTransaction(h -> CommandRow.tryLock(h, id).ifPresent(command -> progress.settle(h, command)));
        }
    }
}
