package dev.patchtide.server.db;

import dev.patchtide.server.api.ApiException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: items that arrive while a group is being written share the next transaction, so a burst of N
 * callers costs a few transactions rather than N, and each caller still answers only after its own item is
 * committed. At most {@link Settings#writers()} groups are written at once, each by one of the waiting callers (no
 * thread of its own), so a burst never takes more than that many pooled connections. A group whose transaction
 * fails is written again one item at a time, so one bad item fails alone; a group that found no connection in the
 * pool's time answers every caller "busy" at once instead (one at a time would wait for the pool once per item).
 *
 * @param <T> what a caller stores
 * @param <R> what a stored item answers
 */
public final class GroupCommit<T, R> {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    /**
     * Writes a group in the caller's transaction. Answers, for every key given, either its {@code R} or the
     * RuntimeException that refuses that item alone (the others are still committed); throws only when the whole
     * group must roll back.
     */
    public interface Writer<T> {
        <K> Map<K, Object> write(Handle handle, Map<K, T> group);
    }

    /**
     * @param items what the items are, plural, for the log ("reports")
     * @param writers groups written at once at most (so pooled connections taken at most)
     * @param maxGroup items in one transaction at most
     * @param patience how long a caller waits for its group before it is answered busy
     * @param stopping the message a caller gets when the server stops while it waits
     */
    public record Settings(String items, int writers, int maxGroup, Duration patience, String stopping) {
        public Settings {
            Objects.requireNonNull(items, "items");
            Objects.requireNonNull(stopping, "stopping");
            if (writers < 1) {
                throw new IllegalArgumentException("writers cannot be less than 1");
            }
            if (maxGroup < 1) {
                throw new IllegalArgumentException("maxGroup cannot be less than 1");
            }
            if (patience == null || patience.isNegative() || patience.isZero()) {
                throw new IllegalArgumentException("patience must be positive");
            }
        }
    }

    /** One caller's item; identity equality, as two callers may store equal items. */
    private static final class Pending<T> {
        final T item;
        final Object key;
        final CompletableFuture<Object> done = new CompletableFuture<>();

        Pending(T item, Object key) {
            this.item = item;
            this.key = key;
        }
    }

    private final Jdbi jdbi;
    private final Writer<T> writer;
    private final Function<? super T, ?> key;
    private final Settings settings;
    private final ArrayDeque<Pending<T>> queue = new ArrayDeque<>();
    private final Semaphore writers;

    /**
     * @param key what two items of one group must not share (the same row twice in one statement): an item whose
     *     key is already in the group waits for the next one
     */
    public GroupCommit(Jdbi jdbi, Writer<T> writer, Function<? super T, ?> key, Settings settings) {
        this.jdbi = Objects.requireNonNull(jdbi);
        this.writer = Objects.requireNonNull(writer);
        this.key = Objects.requireNonNull(key);
        this.settings = Objects.requireNonNull(settings);
        this.writers = new Semaphore(settings.writers());
    }

    /**
     * Stores the item with the next group and answers what the writer answered for it; a refusal is thrown, and so
     * is {@link ApiException#busy()} when the group could not be written in time.
     */
    @SuppressWarnings("unchecked") // the writer's contract: an R or a RuntimeException per item
    public R commit(T item) {
        Pending<T> pending = new Pending<>(item, key.apply(item));
        synchronized (queue) {
            queue.addLast(pending);
        }
        writeWhileQueued();
        Object outcome;
        try {
            outcome = pending.done.get(settings.patience().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Transient("ServiceUnavailable", settings.stopping());
        } catch (TimeoutException e) {
            throw ApiException.busy();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // never: outcomes complete normally
        }
        if (outcome instanceof RuntimeException refused) {
            throw refused;
        }
        return (R) outcome;
    }

    /**
     * Writes groups while items are queued and a writer's place is free. A writer looks at the queue again after
     * giving its place back, so an item queued while every place was taken is never left behind.
     */
    private void writeWhileQueued() {
        while (hasQueued() && writers.tryAcquire()) {
            try {
                List<Pending<T>> group = nextGroup();
                if (!group.isEmpty()) {
                    write(group);
                }
            } finally {
                writers.release();
            }
        }
    }

    private boolean hasQueued() {
        synchronized (queue) {
            return !queue.isEmpty();
        }
    }

    /** Up to maxGroup items, at most one per key (a repeated one keeps its place at the head of the queue). */
    private List<Pending<T>> nextGroup() {
        List<Pending<T>> group = new ArrayList<>();
        Set<Object> keys = new HashSet<>();
        synchronized (queue) {
            List<Pending<T>> repeated = new ArrayList<>();
            while (!queue.isEmpty() && group.size() < settings.maxGroup()) {
                Pending<T> p = queue.pollFirst();
                if (keys.add(p.key)) {
                    group.add(p);
                } else {
                    repeated.add(p);
                }
            }
            for (int i = repeated.size() - 1; i >= 0; i--) {
                queue.addFirst(repeated.get(i));
            }
        }
        return group;
    }

    private void write(List<Pending<T>> group) {
        Map<Pending<T>, Object> outcomes;
        try {
            outcomes = jdbi.inTransaction(handle -> writer.write(handle, items(group)));
        } catch (RuntimeException e) {
            if (ApiException.noConnection(e)) {
                group.forEach(p -> p.done.complete(ApiException.busy()));
                return;
            }
            if (group.size() > 1) {
                log.warn("a group of {} {} failed; storing them one at a time", group.size(), settings.items(), e);
            }
            outcomes = new LinkedHashMap<>();
            for (Pending<T> p : group) {
                try {
                    outcomes.putAll(jdbi.inTransaction(handle -> writer.write(handle, items(List.of(p)))));
                } catch (RuntimeException one) {
                    outcomes.put(p, one);
                }
            }
        }
        for (Pending<T> p : group) {
            p.done.complete(Objects.requireNonNull(outcomes.get(p), "no outcome for one of the " + settings.items()));
        }
    }

    private static <T> Map<Pending<T>, T> items(List<Pending<T>> group) {
        Map<Pending<T>, T> items = new LinkedHashMap<>();
        for (Pending<T> p : group) {
            items.put(p, p.item);
        }
        return items;
    }
}
