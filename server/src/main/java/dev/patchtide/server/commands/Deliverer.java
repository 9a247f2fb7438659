package dev.patchtide.server.commands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long polls waiting on this node, and the one thread that looks for their work and hands it out. Instances
 * are marked when a poll arrives (its first look), when a wake-up names them and by the periodic re-check; the
 * thread takes every mark made meanwhile and looks for all of them in one statement, then claims for all that
 * have work in transactions of up to a thousand polls ({@link Claims}; several at once if configured): ten
 * thousand polls woken at once cost a few statements, not a transaction each, and an idle fleet's renewed polls
 * cost one small look per few milliseconds.
 */
final class Deliverer implements Wakeups.Work, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Deliverer.class);
    /** Polls per look and per claim: the first answers leave before the last instances are claimed. */
    private static final int BATCH = Integer.getInteger("patchtide.commands.claimBatch", 1000);
    /**
     * Claims of one round in flight at once (1: one after the other, the default: three at once measured no better,
     * bench/README "Delivery, fourth pass"), each in its own transaction on its own thread, its answers leaving at
     * its commit. One at a time, a claim's thread waited on PostgreSQL while the server's cores had work to do
     * (10,000 polls woken at once: ten claims one after the other). Rate control does not depend on it: a claim
     * only moves RELEASED to DELIVERED, both in flight, and releases happen under the command's lock (Settler).
     */
    private final int claimers = Integer.getInteger("patchtide.commands.claimers", 1);
    /** Below this many polls a chunk is not split further among the claimers (a transaction costs its own). */
    private static final int MIN_CHUNK = 200;
    /** Marks arriving within this time share a look. */
    private static final long LINGER_NANOS = Duration.ofMillis(2).toNanos();
    /**
     * Looks wait at most this long for the answers handed out to be taken by their requests: the agents' renewed
     * polls (thousands, right after the first answers) are looked at once the answers are on their way, not on the
     * same two cores between them.
     */
    private static final Duration LOOKS_DEFERRED_AT_MOST = Duration.ofSeconds(2);

    private final Claims claims;
    private final ConcurrentHashMap<String, Set<Poll>> waiting = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private Set<String> marked = new HashSet<>();
    /** Instances marked by {@link #arrivedLater}, and since when the oldest of them waits. */
    private Set<String> later = new HashSet<>();

    private long laterSince;
    /** The longest a renewed poll's first look waits behind rounds for work. */
    private static final long LATER_AT_MOST = Duration.ofSeconds(1).toNanos();

    private boolean markedAll;
    private volatile boolean stopping;
    private Thread thread;
    private ExecutorService claimPool;
    /** Set while a round hands work out; agents' reports wait for it (see {@link #awaitHandedOut}). */
    private final Object handOut = new Object();

    private boolean handingOut;
    /** Answers handed to polls whose requests have not taken them yet (see {@link Poll#taken}). */
    private final AtomicInteger untaken = new AtomicInteger();

    Deliverer(Jdbi jdbi, Progress progress, Settler settler) {
        this.claims = new Claims(jdbi, progress, settler);
    }

    /** Registers a poll; an older one of the same instance on this node is answered empty (superseded). */
    Poll register(String instanceId, Duration wait) {
        return register(instanceId, wait, false);
    }

    /**
     * As {@link #register(String, Duration)}; a {@code renewed} poll (a held stream's next one, right after a line)
     * has its first look after the instances woken meanwhile ({@link #arrivedLater}).
     */
    Poll register(String instanceId, Duration wait, boolean renewed) {
        Poll poll = new Poll(instanceId, System.nanoTime(), wait.toNanos(), untaken);
        if (stopping) {
            poll.looked(List.of());
            poll.close();
            return poll;
        }
        waiting.compute(instanceId, (k, set) -> {
            Set<Poll> polls = set == null ? ConcurrentHashMap.newKeySet() : set;
            polls.forEach(Poll::supersede);
            polls.add(poll);
            return polls;
        });
        if (renewed) {
            arrivedLater(instanceId);
        } else {
            arrived(instanceId);
        }
        return poll;
    }

    /**
     * Reserves the poll waiting on this node for each of {@code instanceIds} that has one (at most one each, never
     * a superseded one), for a hand-out made elsewhere ({@link Handout}); the caller answers or unreserves each.
     */
    List<Poll> reserveWaiting(Collection<String> instanceIds) {
        List<Poll> reserved = new ArrayList<>();
        if (stopping || waiting.isEmpty()) {
            return reserved;
        }
        for (String instanceId : instanceIds) {
            Set<Poll> set = waiting.get(instanceId);
            if (set == null) {
                continue;
            }
            for (Poll poll : set) {
                if (!poll.superseded() && poll.reserve()) {
                    reserved.add(poll);
                    break;
                }
            }
        }
        return reserved;
    }

    /** Reserves the newest poll of {@code old}'s instance waiting here in its place, if there is one. */
    java.util.Optional<Poll> successor(Poll old) {
        Set<Poll> set = waiting.get(old.instanceId);
        if (set != null) {
            for (Poll poll : set) {
                if (poll != old && !poll.superseded() && poll.reserve()) {
                    return java.util.Optional.of(poll);
                }
            }
        }
        return java.util.Optional.empty();
    }

    void unregister(Poll poll) {
        waiting.computeIfPresent(poll.instanceId, (k, set) -> {
            set.remove(poll);
            return set.isEmpty() ? null : set;
        });
        if (poll.taken() && untaken.get() == 0) {
            synchronized (handOut) {
                handOut.notifyAll();
            }
        }
    }

    int waitingCount() {
        return waiting.values().stream().mapToInt(Set::size).sum();
    }

    @Override
    public boolean anyWaiting() {
        return !waiting.isEmpty();
    }

    @Override
    public void arrived(String instanceId) {
        synchronized (lock) {
            marked.add(instanceId);
            lock.notifyAll();
        }
    }

    /**
     * Marks an instance whose poll only needs its first look, with no sign of work: a held stream's next poll, whose
     * instance was just answered. Looked at in a round of its own once the instances woken for work are done, or
     * after {@link #LATER_AT_MOST}: ten thousand streams renewed while a command is handed out made looks of a
     * thousand polls of which two thirds had no work, between the claims of those that had.
     */
    void arrivedLater(String instanceId) {
        synchronized (lock) {
            if (later.isEmpty()) {
                laterSince = System.nanoTime();
            }
            later.add(instanceId);
            lock.notifyAll();
        }
    }

    @Override
    public void arrived(Collection<String> instanceIds) {
        synchronized (lock) {
            marked.addAll(instanceIds);
            lock.notifyAll();
        }
    }

    @Override
    public void arrivedForAll() {
        synchronized (lock) {
            markedAll = true;
            lock.notifyAll();
        }
    }

    void start() {
        // A platform thread: as a virtual thread it queued behind every request thread for a carrier, and the
        // agents' renewed polls and results (thousands, right after the first answers) starved the hand-outs still
        // to be made (2,000 agents: the second batch of 1,000 looked 4.5 s after the first was answered).
        claimPool = Executors.newFixedThreadPool(
                claimers,
                Thread.ofPlatform().daemon().name("command-claimer-", 0).factory());
        thread = Thread.ofPlatform().daemon().name("command-deliverer").start(this::run);
    }

    private void run() {
        while (!stopping) {
            try {
                Set<String> batch = next();
                if (batch == null) {
                    return;
                }
                List<Poll> polls = new ArrayList<>();
                for (String instanceId : batch) {
                    Set<Poll> set = waiting.get(instanceId);
                    if (set != null) {
                        set.stream().filter(Poll::waiting).forEach(polls::add);
                    }
                }
                if (Timeline.on()) {
                    Timeline.mark("deliver.round", batch.size() + " marked, " + polls.size() + " polls");
                }
                claimAll(polls);
            } catch (InterruptedException e) {
                return; // closing: close() answers every poll
            } catch (RuntimeException e) {
                // Claims answers its polls' failures itself; this is a bug's last line, the loop must go on.
                log.error("command deliverer: a round failed", e);
            } finally {
                handedOut();
            }
        }
    }

    /**
     * Looks and claims for {@code polls} in chunks of at most {@link #BATCH}, and as many chunks as there are
     * claimers when that many polls are there (ten thousand at once: ten claims, three at a time; 1,600: three of
     * 534, not 1,000 then 600); returns when all are done. Each poll is in one chunk only, and a poll is claimed for
     * only once reserved, so no two claims answer the same poll. The round waits for its claims (rather than taking
     * the next marks at once) so that an idle fleet's renewed polls still share one look per round.
     */
    private void claimAll(List<Poll> polls) throws InterruptedException {
        if (polls.isEmpty()) {
            return;
        }
        int chunks =
                Math.max(Math.ceilDiv(polls.size(), BATCH), Math.min(claimers, Math.ceilDiv(polls.size(), MIN_CHUNK)));
        if (chunks == 1) {
            arrived(claims.deliver(polls, this::handingOut));
            return;
        }
        int size = Math.ceilDiv(polls.size(), chunks);
        List<Future<List<String>>> running = new ArrayList<>();
        for (int from = 0; from < polls.size(); from += size) {
            List<Poll> chunk = List.copyOf(polls.subList(from, Math.min(polls.size(), from + size)));
            running.add(claimPool.submit(() -> claims.deliver(chunk, this::handingOut)));
        }
        for (Future<List<String>> claim : running) {
            try {
                arrived(claim.get());
            } catch (ExecutionException e) {
                log.error("command deliverer: a claim failed", e.getCause());
            }
        }
    }

    private void handingOut() {
        synchronized (handOut) {
            handingOut = true;
        }
    }

    private void handedOut() {
        synchronized (handOut) {
            if (handingOut) {
                handingOut = false;
                handOut.notifyAll();
            }
        }
    }

    /**
     * Deliveries first: waits (at most {@code max}) while this node is handing work out, or answers it handed out
     * are not yet taken by their requests. An agent's report that arrives meanwhile (often the result of an
     * invocation handed out a moment ago), or the telling of deferred changes ({@link PendingChanges}), would take
     * the database and the CPU from the polls still to be answered; it is as well done a moment later.
     */
    void awaitHandedOut(Duration max) throws InterruptedException {
        awaitQuiet(max, true);
    }

    private void awaitQuiet(Duration max, boolean claimsToo) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        synchronized (handOut) {
            for (long left = max.toMillis();
                    ((claimsToo && handingOut) || untaken.get() > 0) && left > 0;
                    left = (end - System.nanoTime()) / 1_000_000) {
                handOut.wait(left);
            }
        }
    }

    /** Waits for marks, lets more arrive for a moment, and takes them all; null once stopping. */
    private Set<String> next() {
        synchronized (lock) {
            while (marked.isEmpty() && later.isEmpty() && !markedAll && !stopping) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
        if (stopping) {
            return null;
        }
        try {
            awaitQuiet(LOOKS_DEFERRED_AT_MOST, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        LockSupport.parkNanos(LINGER_NANOS);
        synchronized (lock) {
            Set<String> batch = marked;
            marked = new HashSet<>();
            if (!later.isEmpty() && (batch.isEmpty() || System.nanoTime() - laterSince - LATER_AT_MOST >= 0)) {
                batch.addAll(later);
                later = new HashSet<>();
            }
            if (markedAll) {
                batch.addAll(waiting.keySet());
                markedAll = false;
            }
            return batch;
        }
    }

    @Override
    public void close() {
        stopping = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        Thread running = thread;
        if (running != null) {
            try {
                if (!running.join(Duration.ofSeconds(5))) {
                    running.interrupt();
                    running.join(Duration.ofSeconds(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ExecutorService pool = claimPool;
        if (pool != null) {
            pool.shutdown();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Map.Entry<String, Set<Poll>> entry : waiting.entrySet()) {
            entry.getValue().forEach(Poll::close);
        }
    }

    /** Once closing, polls answer at once: nothing would hand them anything any more. */
    boolean closing() {
        return stopping;
    }
}
