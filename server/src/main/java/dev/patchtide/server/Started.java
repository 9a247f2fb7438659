package dev.patchtide.server;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a start-up has started so far (loops, workers, the HTTP server, metrics binders), to close in reverse
 * order: when the server stops, or as soon as a later start-up step fails, so a failed start leaves nothing
 * running behind it.
 */
final class Started implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Started.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    synchronized <T extends AutoCloseable> T add(T thing) {
        started.push(thing);
        return thing;
    }

    /** Closes everything after start-up failed with {@code failure}, which carries what else failed. */
    void closeAfter(Throwable failure) {
        RuntimeException more = closeAll();
        if (more != null) {
            failure.addSuppressed(more);
        }
    }

    /** @throws IllegalStateException when something did not close, naming the first (others suppressed) */
    @Override
    public void close() {
        RuntimeException failed = closeAll();
        if (failed != null) {
            throw failed;
        }
    }

    private RuntimeException closeAll() {
        RuntimeException failed = null;
        while (true) {
            AutoCloseable next;
            synchronized (this) {
                next = started.poll();
            }
            if (next == null) {
                return failed;
            }
            try {
                next.close();
            } catch (Exception e) {
                log.warn("stopping {} failed", next, e);
                if (failed == null) {
                    failed = new IllegalStateException("the server did not stop cleanly", e);
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
    }
}
