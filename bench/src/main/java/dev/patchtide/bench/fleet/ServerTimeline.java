package dev.patchtide.bench.fleet;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The server's delivery marks ({@code TL <epoch-micros> <what>} lines its {@code Timeline} logger writes at
 * debug) laid next to the agents' receipts, in milliseconds from the start of SendCommand: where the second
 * between the send and the last receipt goes.
 */
final class ServerTimeline {
    static final String LOGGER_PROPERTY = "org.slf4j.simpleLogger.log.dev.patchtide.server.commands.Timeline";
    /** Rounds of the deliverer shown; an idle fleet's renewed polls make many small ones. */
    private static final int MAX_LINES = 150;

    private ServerTimeline() {}

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    /**
     * Prints the marks logged from {@code startMicros} on, and the receipts' spread ({@code latencies}: nanos after
     * the send's start, sorted).
     */
    static void print(Path log, long startMicros, long[] latencies, PrintStream out) throws IOException {
        long endMicros = startMicros + latencies[latencies.length - 1] / 1_000 + 2_000_000;
        List<String> shown = new ArrayList<>();
        int skipped = 0;
        int idleLooks = 0;
        List<Long> answered = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            Optional<Mark> mark = Mark.of(line);
            if (mark.isEmpty()) {
                continue;
            }
            long micros = mark.get().micros();
            if (micros < startMicros - 100_000 || micros > endMicros) {
                continue;
            }
            String what = mark.get().text();
            if (what.startsWith("poll.answered")) {
                answered.add(micros - startMicros); // one per answer: summed up below, not listed
                continue;
            }
            if (what.startsWith("deliver.round") || what.endsWith(" 0 with work")) {
                idleLooks++; // the renewed polls' looks: many, and not on the hand-out's path
                continue;
            }
            if (shown.size() >= MAX_LINES) {
                skipped++;
                continue;
            }
            shown.add(String.format("  %+9.1f ms  %s", (micros - startMicros) / 1000.0, what));
        }
        out.println("  server timeline (ms after SendCommand's start):");
        shown.forEach(out::println);
        if (skipped > 0) {
            out.println("  … " + skipped + " more marks");
        }
        out.println("  (" + idleLooks + " rounds and looks that found nothing to hand out not shown)");
        if (!answered.isEmpty()) {
            long[] a = answered.stream().mapToLong(Long::longValue).sorted().toArray();
            for (int i = 0; i < a.length; i++) {
                a[i] *= 1_000; // micros to nanos, as the receipts
            }
            out.printf(
                    "  answers handed to their writer (server, %d): first %.1f ms, 10%% %.1f, 50%% %.1f, 90%% %.1f,"
                            + " 99%% %.1f, last %.1f ms%n",
                    a.length, at(a, 0), at(a, 0.10), at(a, 0.50), at(a, 0.90), at(a, 0.99), at(a, 1));
        }
        out.printf(
                "  receipts: first %.1f ms, 10%% %.1f, 50%% %.1f, 90%% %.1f, 99%% %.1f, last %.1f ms%n",
                at(latencies, 0),
                at(latencies, 0.10),
                at(latencies, 0.50),
                at(latencies, 0.90),
                at(latencies, 0.99),
                at(latencies, 1));
    }

    private static double at(long[] sorted, double p) {
        int i = Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p * sorted.length) - 1));
        return sorted[i] / 1e6;
    }

    /** One timeline line of the server's log: {@code … TL <epoch micros> <text>}. */
    record Mark(long micros, String text) {
        /** The mark a log line carries, if it is one. */
        static Optional<Mark> of(String line) {
            int at = line.indexOf(" TL ");
            if (at < 0) {
                return Optional.empty();
            }
            String[] f = line.substring(at + 4).split(" ", 2);
            try {
                return Optional.of(new Mark(Long.parseLong(f[0]), f.length > 1 ? f[1] : ""));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
