package dev.patchtide.server.commands;

import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsResult;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One agent's long poll waiting on this node. The {@link Deliverer} answers it when it claimed work for it; the
 * request itself answers empty when its wait ends. A poll the deliverer has reserved (it is claiming for it) is
 * answered by the deliverer only, so a claim is never answered by nobody.
 */
final class Poll {
    private static final int WAITING = 0;
    private static final int RESERVED = 1;
    private static final int DONE = 2;

    private static final int UNCOUNTED = 0;
    private static final int COUNTED = 1;
    private static final int LEFT = 2;

    private static final VarHandle OUTCOME;

    static {
        try {
            OUTCOME = MethodHandles.lookup().findVarHandle(Poll.class, "outcome", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final String instanceId;
    final long arrivedNanos;
    final long deadlineNanos;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    /** The answer, or the RuntimeException to answer with; set once. Parked on, not a future: see await(). */
    private volatile Object outcome;

    private volatile Thread waiter;
    private volatile boolean superseded;
    /** The deliverer has looked for its work at least once (a poll is never answered before its first look). */
    private volatile boolean looked;
    /** The cancellations of this instance as of the last look, repeated in an empty answer. */
    private volatile List<String> cancellations = List.of();
    /** The node's count of answers handed to polls whose request has not taken them yet (see {@link #taken}). */
    private final AtomicInteger untaken;
    /**
     * {@link #UNCOUNTED}, {@link #COUNTED} in {@link #untaken} until its request takes the answer, or {@link #LEFT}:
     * its request is done, and an answer given after that (the request was interrupted while the poll was
     * reserved) reaches nobody and is not counted, or it would stay untaken for good.
     */
    private final AtomicInteger counting = new AtomicInteger(UNCOUNTED);

    Poll(String instanceId, long arrivedNanos, long waitNanos, AtomicInteger untaken) {
        this.instanceId = instanceId;
        this.arrivedNanos = arrivedNanos;
        this.deadlineNanos = arrivedNanos + waitNanos;
        this.untaken = untaken;
    }

    /** Waits for the answer: the deliverer's, or an empty one when the wait ends after the first look. */
    ReceiveCommandInvocationsResult await() throws InterruptedException {
        waiter = Thread.currentThread();
        while (true) {
            Object out = outcome;
            if (out != null) {
                return outcome(out);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                LockSupport.parkNanos(this, left);
            } else if (looked && state.compareAndSet(WAITING, DONE)) {
                return empty();
            } else {
                // Reserved, or not looked at yet: the deliverer answers it (see expired()).
                LockSupport.park(this);
            }
        }
    }

    /** As {@link #await}, and marks on the timeline when its request's thread has an answer to write. */
    ReceiveCommandInvocationsResult awaitAnswer() throws InterruptedException {
        ReceiveCommandInvocationsResult answer = await();
        if (Timeline.on() && !answer.invocations().isEmpty()) {
            // The request's thread serializes and writes it next, without a hand-off.
            Timeline.mark("poll.answered", answer.invocations().size());
        }
        return answer;
    }

    private static ReceiveCommandInvocationsResult outcome(Object out) {
        if (out instanceof RuntimeException e) {
            throw e;
        }
        return (ReceiveCommandInvocationsResult) out;
    }

    /** Sets the outcome (the first one counts) and wakes the request waiting for it; false if one was set. */
    private boolean complete(Object out) {
        if (OUTCOME.compareAndSet(this, null, out)) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
            return true;
        }
        return false;
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
            complete(empty());
        }
    }

    /** The cancellations of this instance as of the last look. */
    List<String> cancellations() {
        return cancellations;
    }

    void looked(List<String> cancellations) {
        this.cancellations = cancellations;
        this.looked = true;
    }

    /** After a look that found nothing to hand out: answers now if the wait is over already. */
    void expired() {
        if (System.nanoTime() - deadlineNanos >= 0 && state.compareAndSet(WAITING, DONE)) {
            complete(empty());
        }
    }

    /** A reserved poll the claim had nothing for after all waits on (or ends, if its wait is over). */
    void unreserve() {
        state.set(WAITING);
        expired();
    }

    /**
     * Answers a reserved poll with what was claimed for it. Counted as untaken before the request can see it, so
     * the count never misses an answer its request has already taken.
     */
    void answer(ReceiveCommandInvocationsResult result) {
        state.set(DONE);
        if (counting.compareAndSet(UNCOUNTED, COUNTED)) {
            untaken.incrementAndGet();
        }
        if (!complete(result)) {
            taken();
        }
    }

    /**
     * Its request is done with it (answered or not; called once it is); answers whether it had counted an untaken
     * answer. From now on no answer is counted for it.
     */
    boolean taken() {
        if (counting.getAndSet(LEFT) == COUNTED) {
            untaken.decrementAndGet();
            return true;
        }
        return false;
    }

    /** Answers with an error: the look or claim failed (the agent polls again). */
    void fail(RuntimeException e) {
        if (state.getAndSet(DONE) != DONE) {
            complete(e);
        }
    }

    /** Answers empty whatever its state (the node is closing). */
    void close() {
        state.set(DONE);
        complete(empty());
    }

    boolean abandoned(long now, long afterNanos) {
        return now - arrivedNanos - afterNanos > 0;
    }

    private ReceiveCommandInvocationsResult empty() {
        return new ReceiveCommandInvocationsResult(List.of(), cancellations);
    }
}
