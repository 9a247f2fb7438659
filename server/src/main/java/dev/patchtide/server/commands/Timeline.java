package dev.patchtide.server.commands;

import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debug marks of the delivery path (SendCommand's phases, the deliverer's rounds), with a wall-clock time to the
 * microsecond so a bench on the same machine can lay them next to its agents' receipts. Off unless the logger
 * {@code dev.patchtide.server.commands.Timeline} is at debug; then one line per mark: {@code TL <epoch-micros>
 * <what>}.
 *
 * <p>A mark is queued and written by a thread of its own: written on the marking thread, the 10,000 {@code
 * poll.answered} marks of a hand-out took a tenth of the server's CPU samples in that window (the logger formats and
 * writes each line to stderr under a lock), so the bench measured its own instrument.
 */
final class Timeline {
    private static final Logger log = LoggerFactory.getLogger(Timeline.class);
    /** Bounded: should the writer fall behind, marks are dropped rather than memory filled. */
    private static final LinkedBlockingQueue<Mark> QUEUE = new LinkedBlockingQueue<>(200_000);

    private record Mark(long micros, String what, Object detail) {}

    static {
        if (log.isDebugEnabled()) {
            Thread.ofPlatform().daemon().name("command-timeline").start(Timeline::write);
        }
    }

    private Timeline() {}

    static boolean on() {
        return log.isDebugEnabled();
    }

    static void mark(String what) {
        if (log.isDebugEnabled()) {
            QUEUE.offer(new Mark(micros(), what, null));
        }
    }

    static void mark(String what, Object detail) {
        if (log.isDebugEnabled()) {
            QUEUE.offer(new Mark(micros(), what, detail));
        }
    }

    private static void write() {
        java.util.List<Mark> batch = new java.util.ArrayList<>();
        while (true) {
            try {
                batch.add(QUEUE.take());
            } catch (InterruptedException e) {
                return;
            }
            QUEUE.drainTo(batch, 999);
            // One logger call per batch (10,000 answers' marks are 10 calls, not 10,000): each line still reads
            // "… TL <micros> <what>", the first after the logger's prefix, the others after a space.
            StringBuilder text = new StringBuilder(batch.size() * 48);
            for (Mark m : batch) {
                if (!text.isEmpty()) {
                    text.append("\n ");
                }
                text.append("TL ").append(m.micros()).append(' ').append(m.what());
                if (m.detail() != null) {
                    text.append(' ').append(m.detail());
                }
            }
            log.debug(text.toString());
            batch.clear();
        }
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }
}
