package dev.patchtide.server.patching;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportRequest;
import dev.patchtide.server.patching.ScanMessages.PutPatchScanReportResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores many scan reports per transaction: callers queue their report and wait; a few writer threads each
 * take what has queued (up to {@code maxBatch}), store it in one transaction and answer every caller after
 * the commit, so an accepted report is a stored report and one WAL flush serves the whole batch. A report
 * refused for its own reasons (an unknown instance) is answered alone; a batch that fails in any other way (a
 * deadlock, a lost connection) is rolled back whole and its reports are stored again one transaction each, so
 * each caller gets its own report's answer and nothing is half stored. Reports are taken in instance id order,
 * so writers lock instances in one order. While one writer's transaction runs, another waits for
 * {@code fillTo} reports to queue before it starts its own (or for the first to end, at most {@link #FILL_WAIT}):
 * a statement's cost is mostly per call, not per row, so under load fewer, larger batches cost less CPU a report
 * than each writer taking whatever a few requests left (100,000 hosts: 25 a batch, against 60 when filled). A lone
 * report, with no transaction running, is written at once.
 */
final class ScanWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScanWriter.class);

    /**
     * Stores reports inside the given transaction and answers each, in order. A report refused for its own
     * reasons (an unknown instance) is answered {@link Refused} without failing the others; an exception
     * fails the whole transaction.
     */
    @FunctionalInterface
    interface Work {
        List<Answer> store(Handle h, List<PutPatchScanReportRequest> reports);
    }

    /** What became of one report. */
    sealed interface Answer {
        PutPatchScanReportResult result();
    }

    record Stored(PutPatchScanReportResult result) implements Answer {}

    record Refused(ApiException reason) implements Answer {
        @Override
        public PutPatchScanReportResult result() {
            throw reason;
        }
    }

    private record Pending(PutPatchScanReportRequest request, CompletableFuture<PutPatchScanReportResult> answer) {}

    private final Jdbi jdbi;
    private final Work work;
    private final int maxBatch;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final int fillTo;
    private final Duration fillWait;
    private final ReentrantLock gate = new ReentrantLock();
    private final Condition worthWriting = gate.newCondition();
    /** Writers inside a transaction; guarded by {@link #gate}. */
    private int writing;
    /** A writer waits for the queue to fill: submit wakes it once {@link #fillTo} have queued. */
    private volatile boolean waitingForMore;

    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean stopping;

    /** The longest a writer waits for a fuller batch while another writes. */
    static final Duration FILL_WAIT = Duration.ofMillis(50);

    ScanWriter(Jdbi jdbi, Work work, int writerCount, int maxBatch) {
        this(jdbi, work, writerCount, maxBatch, FILL_WAIT);
    }

    ScanWriter(Jdbi jdbi, Work work, int writerCount, int maxBatch, Duration fillWait) {
        this.jdbi = jdbi;
        this.fillWait = fillWait;
        this.work = work;
        this.maxBatch = maxBatch;
        this.fillTo = Math.max(1, maxBatch / 2);
        for (int i = 0; i < writerCount; i++) {
            Thread t = Thread.ofPlatform()
                    .daemon()
                    .name("scan-writer-" + i)
                    .uncaughtExceptionHandler((thread, e) -> log.error("{} stopped by an error", thread.getName(), e))
                    .unstarted(this::run);
            writers.add(t);
            t.start();
        }
    }

    /** Queues the report and returns once the transaction that stored it committed. */
    PutPatchScanReportResult submit(PutPatchScanReportRequest q) {
        if (stopping) {
            return storeAlone(q);
        }
        Pending p = new Pending(q, new CompletableFuture<>());
        queue.add(p);
        // The waiting writer holds its first report outside the queue.
        if (waitingForMore && queue.size() + 1 >= fillTo) {
            wake();
        }
        if (stopping && queue.remove(p)) {
            // Closed meanwhile: the writers may be gone, so store it here.
            return storeAlone(q);
        }
        try {
            return p.answer().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the report was being stored", e);
        }
    }

    private PutPatchScanReportResult storeAlone(PutPatchScanReportRequest q) {
        return jdbi.inTransaction(h -> work.store(h, List.of(q))).getFirst().result();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (!stopping || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                boolean interrupted = awaitFuller();
                queue.drainTo(batch, maxBatch - 1);
                writeCounted(batch);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            } catch (InterruptedException e) {
                if (!stopping) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } catch (RuntimeException e) {
                // write() answers every caller itself; this is a bug guard so no caller waits forever.
                batch.forEach(p -> p.answer().completeExceptionally(e));
                log.error("scan writer failed", e);
            } finally {
                // After an Error (which ends this writer) its batch's callers still get an answer.
                batch.forEach(
                        p -> p.answer().completeExceptionally(new IllegalStateException("the scan writer stopped")));
                batch.clear();
            }
        }
    }

    /**
     * Waits while another writer is in its transaction and fewer than {@link #fillTo} reports (this writer's
     * first one included) are there to take, at most {@code fillWait}. Returns whether it was interrupted (the
     * report already taken is written all the same).
     */
    private boolean awaitFuller() {
        gate.lock();
        try {
            long left = fillWait.toNanos();
            // Set before the queue is looked at, so a submit that fills it after that look sees it and wakes us.
            waitingForMore = true;
            while (writing > 0 && queue.size() + 1 < fillTo && !stopping && left > 0) {
                left = worthWriting.awaitNanos(left);
            }
            return false;
        } catch (InterruptedException e) {
            return true;
        } finally {
            waitingForMore = false;
            gate.unlock();
        }
    }

    private void writeCounted(List<Pending> batch) {
        gate.lock();
        try {
            writing++;
        } finally {
            gate.unlock();
        }
        try {
            write(batch);
        } finally {
            gate.lock();
            try {
                writing--;
                worthWriting.signalAll();
            } finally {
                gate.unlock();
            }
        }
    }

    private void wake() {
        gate.lock();
        try {
            worthWriting.signalAll();
        } finally {
            gate.unlock();
        }
    }

    private void write(List<Pending> batch) {
        batch.sort(Comparator.comparing(p -> p.request().instanceId()));
        List<Answer> answers;
        try {
            answers = jdbi.inTransaction(
                    h -> work.store(h, batch.stream().map(Pending::request).toList()));
        } catch (RuntimeException batchFailed) {
            if (batch.size() > 1) {
                log.debug("batch of {} scan reports failed, storing them one by one", batch.size(), batchFailed);
            }
            for (Pending p : batch) {
                try {
                    p.answer().complete(storeAlone(p.request()));
                } catch (RuntimeException e) {
                    p.answer().completeExceptionally(e);
                }
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            switch (answers.get(i)) {
                case Stored stored -> batch.get(i).answer().complete(stored.result());
                case Refused refused -> batch.get(i).answer().completeExceptionally(refused.reason());
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        for (Thread t : writers) {
            try {
                t.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
