package dev.patchtide.server.commands;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles a command (counts, state, release under MaxConcurrency and MaxErrors) after its invocations changed,
 * in a short transaction of its own under the command's lock. Callers that commit changes of one command while
 * a settle of it runs share the next one: per command and node at most one connection waits for the command's
 * lock, however many agents report at once. A settle that fails is only logged: what it would have done is
 * done by the next one, or by the dispatcher's round over open commands.
 */
final class Settler {
    private static final Logger log = LoggerFactory.getLogger(Settler.class);

    private final Jdbi jdbi;
    private final Progress progress;
    /** The settle each command's next callers wait for; it has not read the invocations yet. */
    private final ConcurrentHashMap<UUID, CompletableFuture<Void>> next = new ConcurrentHashMap<>();
    /** One settle at a time per command on this node (striped: no entry to clean up). */
    private final Semaphore[] stripes = new Semaphore[64];

    Settler(Jdbi jdbi, Progress progress) {
        this.jdbi = jdbi;
        this.progress = progress;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Semaphore(1);
        }
    }

    /**
     * Settles the command after every change committed before this call, and waits for it; answers whether it
     * was settled (false: it failed, and is left to the next settle or the dispatcher).
     */
    boolean settle(UUID commandId) {
        CompletableFuture<Void> round = round(commandId);
        try {
            round.get();
            return true;
        } catch (ExecutionException e) {
            log.warn("settling command {} failed; it is settled again later", commandId, e.getCause());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** As {@link #settle}, without waiting for it (the deliverer must not wait for a command's lock). */
    void settleSoon(UUID commandId) {
        round(commandId).exceptionally(e -> {
            log.warn("settling command {} failed; it is settled again later", commandId, e);
            return null;
        });
    }

    private CompletableFuture<Void> round(UUID commandId) {
        return next.computeIfAbsent(commandId, id -> {
            CompletableFuture<Void> started = new CompletableFuture<>();
            Thread.ofVirtual().name("command-settle").start(() -> run(id, started));
            return started;
        });
    }

    private void run(UUID commandId, CompletableFuture<Void> round) {
        Semaphore stripe = stripes[Math.floorMod(commandId.hashCode(), stripes.length)];
        stripe.acquireUninterruptibly();
        try {
            // From here on, a change committed later is not surely seen: its caller starts a settle of its own.
            next.remove(commandId, round);
            jdbi.useTransaction(
                    handle -> CommandRow.lock(handle, commandId).ifPresent(c -> progress.settle(handle, c)));
            round.complete(null);
        } catch (RuntimeException | Error e) {
            round.completeExceptionally(e);
        } finally {
            stripe.release();
        }
    }
}
