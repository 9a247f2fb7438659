package dev.patchtide.server.commands;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debug marks of the delivery path (SendCommand's phases, the deliverer's rounds), with a wall-clock time to the
 * microsecond so a bench on the same machine can lay them next to its agents' receipts. Off unless the logger
 * {@code dev.patchtide.server.commands.Timeline} is at debug; then one line per mark: {@code TL <epoch-micros>
 * <what>}.
 */
final class Timeline {
    private static final Logger log = LoggerFactory.getLogger(Timeline.class);

    private Timeline() {}

    static boolean on() {
        return log.isDebugEnabled();
    }

    static void mark(String what) {
        if (log.isDebugEnabled()) {
            log.debug("TL {} {}", micros(), what);
        }
    }

    static void mark(String what, Object detail) {
        if (log.isDebugEnabled()) {
            log.debug("TL {} {} {}", micros(), what, detail);
        }
    }

    private static long micros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }
}
