package dev.patchtide.bench.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording's CPU samples inside the hand-out windows of a {@code CommandDelivery --timeline true} run: from
 * each {@code send.api} mark of the server's log to the last {@code poll.answered} after it. Prints, per window and
 * for all windows together, the samples by top frame (self) and by the first frame of a few packages of interest
 * (inclusive), and the JVM's CPU in the window from {@code jdk.CPULoad}. Samples, not CPU seconds: read the shares.
 *
 * <pre>
 * java [-Devent=jdk.CPUTimeSample] -cp benchmarks.jar dev.patchtide.bench.fleet.HandoutProfile server.log server.jfr [top]
 * </pre>
 */
public final class HandoutProfile {
    private HandoutProfile() {}

    record Window(long startMicros, long endMicros, int answers) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: HandoutProfile SERVER_LOG RECORDING.jfr [TOP]");
            System.exit(2);
        }
        List<Window> windows = windows(Path.of(args[0]));
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        String sampleEvent = System.getProperty("event", "jdk.ExecutionSample");
        List<RecordedEvent> samples = new ArrayList<>();
        List<RecordedEvent> cpu = new ArrayList<>();
        List<RecordedEvent> lost = new ArrayList<>();
        List<RecordedEvent> gc = new ArrayList<>();
        try (RecordingFile f = new RecordingFile(Path.of(args[1]))) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                String name = e.getEventType().getName();
                // CPU-time samples (JDK 25, jdk.CPUTimeSample#enabled=true) when recorded, else execution samples;
                // never jdk.NativeMethodSample: a thread parked in epoll is not using the CPU.
                if (name.equals(sampleEvent)) {
                    if (inside(windows, e.getStartTime())) {
                        samples.add(e);
                    }
                } else if (name.equals("jdk.CPULoad")) {
                    cpu.add(e);
                } else if (name.equals("jdk.CPUTimeSamplesLost")) {
                    lost.add(e);
                } else if (name.equals("jdk.GCCPUTime")) {
                    gc.add(e);
                }
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < windows.size(); i++) {
            Window w = windows.get(i);
            double seconds = (w.endMicros() - w.startMicros()) / 1e6;
            double cpuSeconds = cpu.stream()
                            .filter(e -> within(w, e.getStartTime()))
                            .mapToDouble(e -> e.getFloat("jvmUser") + e.getFloat("jvmSystem"))
                            .average()
                            .orElse(Double.NaN)
                    * cores
                    * seconds;
            List<RecordedEvent> own =
                    samples.stream().filter(e -> within(w, e.getStartTime())).toList();
            System.out.printf(
                    "window %d: %.3f s, %d answers, %d samples, JVM CPU ≈ %.2f s (%.3f ms per answer, jdk.CPULoad"
                            + " average × %d cores)%n",
                    i + 1, seconds, w.answers(), own.size(), cpuSeconds, cpuSeconds * 1000 / w.answers(), cores);
            if (sampleEvent.equals("jdk.CPUTimeSample") && !own.isEmpty()) {
                // Each CPU-time sample stands for one sampling period of its thread's CPU; lost ones count too.
                double sampled = own.stream()
                        .mapToDouble(e -> e.getDuration("samplingPeriod").toNanos() / 1e9)
                        .sum();
                double period = sampled / own.size();
                long lostHere = lost.stream()
                        .filter(e -> within(w, e.getStartTime()))
                        .mapToLong(e -> e.getLong("lostSamples"))
                        .sum();
                double java = sampled + lostHere * period;
                double gcSeconds = gc.stream()
                        .filter(e -> within(w, e.getStartTime()))
                        .mapToDouble(e -> (e.getLong("userTime") + e.getLong("systemTime")) / 1e9)
                        .sum();
                System.out.printf(
                        "  Java threads' CPU ≈ %.2f s (%d samples + %d lost × %.0f ms) + GC %.2f s = %.3f ms per answer%n",
                        java, own.size(), lostHere, period * 1000, gcSeconds, (java + gcSeconds) * 1000 / w.answers());
            }
        }
        String only = System.getProperty("part");
        if (only != null) {
            // -Dpart=PREFIX: only the samples of that part of the path, to see what it is made of.
            samples = samples.stream().filter(e -> part(e).startsWith(only)).toList();
        }
        System.out.printf("all windows: %d samples%n", samples.size());
        print("by top frame (self)", count(samples, HandoutProfile::topFrame), samples.size(), top);
        print("by thread", count(samples, HandoutProfile::thread), samples.size(), top);
        print(
                "by part of the path (first rule a frame of the stack matches)",
                count(samples, HandoutProfile::part),
                samples.size(),
                top);
        print(
                "by first frame in dev.patchtide (inclusive)",
                count(samples, e -> firstFrame(e, m -> m.startsWith("dev.patchtide"))),
                samples.size(),
                top);
        print("by any frame (inclusive, each method once per sample)", countAny(samples), samples.size(), top * 2);
    }

    /** The hand-out windows: each send.api to the last poll.answered before the next send.api. */
    static List<Window> windows(Path log) throws IOException {
        List<Window> windows = new ArrayList<>();
        long start = -1;
        long last = -1;
        int answers = 0;
        for (String line : Files.readAllLines(log)) {
            Optional<ServerTimeline.Mark> mark = ServerTimeline.Mark.of(line);
            if (mark.isEmpty()) {
                continue;
            }
            long micros = mark.get().micros();
            String[] f = mark.get().text().split(" ", 2);
            String what = f[0];
            if (what.equals("send.api")) {
                if (start >= 0 && last > start) {
                    windows.add(new Window(start, last, answers));
                }
                start = micros;
                last = -1;
                answers = 0;
            } else if (what.equals("poll.answered") && start >= 0) {
                last = micros;
                answers += f.length > 1 ? Integer.parseInt(f[1].strip()) : 1;
            }
        }
        if (start >= 0 && last > start) {
            windows.add(new Window(start, last, answers));
        }
        return windows;
    }

    private static boolean inside(List<Window> windows, Instant t) {
        return windows.stream().anyMatch(w -> within(w, t));
    }

    private static boolean within(Window w, Instant t) {
        long micros = t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
        return micros >= w.startMicros() && micros <= w.endMicros();
    }

    private static String method(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static String topFrame(RecordedEvent e) {
        RecordedStackTrace s = e.getStackTrace();
        return s == null || s.getFrames().isEmpty()
                ? "(no stack)"
                : method(s.getFrames().getFirst());
    }

    private static String thread(RecordedEvent e) {
        var t = e.hasField("sampledThread") ? e.getThread("sampledThread") : e.getThread();
        if (t == null) {
            return "(none)";
        }
        String name = t.getJavaName() == null ? t.getOSName() : t.getJavaName();
        // Numbered threads of one kind count together.
        return name == null || name.isEmpty() ? "(virtual)" : name.replaceAll("[0-9]+", "N");
    }

    /** Parts of the hand-out path, tried in this order against every frame of a sample's stack. */
    private static final List<Map.Entry<String, Predicate<String>>> PARTS = List.of(
            Map.entry("timeline marks (the bench's instrument)", m -> m.contains(".Timeline.")),
            Map.entry(
                    "events of invocations (built, stored)",
                    m -> m.contains("server.events.") || m.contains("CommandEvents.")),
            Map.entry(
                    "agents' reports stored, settles",
                    m -> m.contains("ReportWriter.") || m.contains("Reports.") || m.contains("Settler.")),
            Map.entry(
                    "claim (look, UPDATE, answers built)",
                    m -> m.contains("commands.Claims.") || m.contains("commands.Deliverer.run")),
            Map.entry("response JSON written", m -> m.contains("ObjectMapper.writeValueAsBytes")),
            Map.entry("request signature checked", m -> m.contains("Authenticator.") || m.contains("core.auth.")),
            Map.entry(
                    "request body read and bound",
                    m -> m.contains("RequestBody.")
                            || m.contains("RequestJson.")
                            || m.contains("ApiRouter.bind")
                            || m.contains("Validation.")),
            Map.entry(
                    "poll waits, registers, wakes",
                    m -> m.contains("commands.Poll.")
                            || m.contains("commands.Deliverer.")
                            || m.contains("AgentChannel.receive")),
            Map.entry(
                    "other API router and handler",
                    m -> m.contains("server.api.") || m.contains("server.commands.") || m.contains("server.fleet.")),
            Map.entry("Jetty: request parsed", m -> m.contains("HttpParser.") || m.contains("parseRequestBuffer")),
            Map.entry(
                    "Jetty/Javalin: response written",
                    m -> m.contains("HttpOutput.")
                            || m.contains("sendResponse")
                            || m.contains("SocketDispatcher.write")
                            || m.contains("completeOutput")),
            Map.entry(
                    "Jetty/Javalin: other request handling",
                    m -> m.contains("org.eclipse.jetty.") || m.contains("io.javalin.")),
            Map.entry("JDBC, PostgreSQL driver", m -> m.contains("org.postgresql.") || m.contains("org.jdbi.")));

    private static String part(RecordedEvent e) {
        RecordedStackTrace s = e.getStackTrace();
        if (s == null) {
            return "(no stack)";
        }
        List<String> frames = s.getFrames().stream().map(HandoutProfile::method).toList();
        for (Map.Entry<String, Predicate<String>> p : PARTS) {
            if (frames.stream().anyMatch(p.getValue())) {
                return p.getKey();
            }
        }
        return "other: " + thread(e);
    }

    private static String firstFrame(RecordedEvent e, Predicate<String> which) {
        RecordedStackTrace s = e.getStackTrace();
        if (s == null) {
            return "(no stack)";
        }
        for (RecordedFrame f : s.getFrames()) {
            String m = method(f);
            if (which.test(m)) {
                return m;
            }
        }
        return "(none)";
    }

    private static Map<String, Integer> count(
            List<RecordedEvent> samples, java.util.function.Function<RecordedEvent, String> key) {
        Map<String, Integer> counts = new HashMap<>();
        samples.forEach(e -> counts.merge(key.apply(e), 1, Integer::sum));
        return counts;
    }

    private static Map<String, Integer> countAny(List<RecordedEvent> samples) {
        Map<String, Integer> counts = new HashMap<>();
        for (RecordedEvent e : samples) {
            RecordedStackTrace s = e.getStackTrace();
            if (s == null) {
                continue;
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (RecordedFrame f : s.getFrames()) {
                String m = method(f);
                if (seen.add(m)) {
                    counts.merge(m, 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private static void print(String title, Map<String, Integer> counts, int total, int top) {
        System.out.println(title + ":");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> System.out.printf(
                        "  %6d  %5.1f%%  %s%n", e.getValue(), e.getValue() * 100.0 / Math.max(1, total), e.getKey()));
    }
}
