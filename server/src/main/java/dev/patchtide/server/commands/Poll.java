package dev.patchtide.server.commands;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One agent's long poll waiting on this node. The {@link Deliverer} answers it when it claimed work for it; the
 * request itself answers empty when its wait ends. A poll the deliverer has reserved (it is claiming for it) is
 * answered by the deliverer only, so a claim is never answered by nobody.
 */
final class Poll {
    private static final int WAITING = 0;
    private static final int RESERVED = 1;
    private static final int DONE = 2;

    final String instanceId;
    final long arrivedNanos;
    final long deadlineNanos;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final CompletableFuture<ReceiveCommandInvocationsResult> answer = new CompletableFuture<>();
    private volatile boolean superseded;
    /** The deliverer has looked for its work at least once (a poll is never answered before its first look). */
    private volatile boolean looked;
    /** The cancellations of this instance as of the last look, repeated in an empty answer. */
    private volatile List<String> cancellations = List.of();

    Poll(String instanceId, long arrivedNanos, long waitNanos) {
        this.instanceId = instanceId;
        this.arrivedNanos = arrivedNanos;
        this.deadlineNanos = arrivedNanos + waitNanos;
    }

    /** Waits for the answer: the deliverer's, or an empty one when the wait ends after the first look. */
    ReceiveCommandInvocationsResult await() throws InterruptedException {
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            try {
                if (left > 0) {
                    return answer.get(left, TimeUnit.NANOSECONDS);
                }
                if (looked && state.compareAndSet(WAITING, DONE)) {
                    return empty();
                }
                // Reserved, or not looked at yet: the deliverer answers it (see expired()).
                return answer.get();
            } catch (TimeoutException e) {
                // the wait ended: loop once more to answer
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r
                        ? r
                        : new ApiException.Transient("InternalServerError", "The poll failed; poll again.");
            }
        }
    }

    boolean superseded() {
        return superseded;
    }

    boolean waiting() {
        return state.get() == WAITING;
    }

    boolean reserve() {
        return state.compareAndSet(WAITING, RESERVED);
    }

    /** A newer poll of the same instance arrived on this node: the agent no longer reads this one. */
    void supersede() {
        superseded = true;
        if (state.compareAndSet(WAITING, DONE)) {
            answer.complete(empty());
        }
    }

    void looked(List<String> cancellations) {
        this.cancellations = cancellations;
        this.looked = true;
    }

    /** After a look that found nothing to hand out: answers now if the wait is over already. */
    void expired() {
        if (System.nanoTime() - deadlineNanos >= 0 && state.compareAndSet(WAITING, DONE)) {
            answer.complete(empty());
        }
    }

    /** A reserved poll the claim had nothing for after all waits on (or ends, if its wait is over). */
    void unreserve() {
        state.set(WAITING);
        expired();
    }

    /** Answers a reserved poll with what was claimed for it. */
    void answer(ReceiveCommandInvocationsResult result) {
        state.set(DONE);
        answer.complete(result);
    }

    /** Answers with an error: the look or claim failed (the agent polls again). */
    void fail(RuntimeException e) {
        if (state.getAndSet(DONE) != DONE) {
            answer.completeExceptionally(e);
        }
    }

    /** Answers empty whatever its state (the node is closing). */
    void close() {
        state.set(DONE);
        answer.complete(empty());
    }

    boolean abandoned(long now, long afterNanos) {
        return now - arrivedNanos - afterNanos > 0;
    }

    private ReceiveCommandInvocationsResult empty() {
        return new ReceiveCommandInvocationsResult(List.of(), cancellations);
    }
}
