package dev.patchtide.bench.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The agent as deployed, for {@link ScanCost}: {@code LAUNCHER run --state-dir STATE} (the packaged
 * {@code patchtide-agent}, or {@code ./patchtide agent}), registered beforehand against a running server. It
 * scans at start and then every {@code scanInterval} seconds; each "patch scan reported" line it logs is the
 * signal to read its CPU and memory from /proc. What it reads:
 *
 * <ul>
 *   <li>start to first report, whole-process CPU: JVM start, the first heartbeat and the first scan (an upper
 *       bound of the first scan's cost);
 *   <li>first scan, scan thread's CPU: the scan and its report alone (a lower bound: the JIT compiler and the
 *       collector run on threads of their own);
 *   <li>each later scan interval, whole-process CPU: a repeat scan plus the interval's heartbeats and command
 *       polls (an upper bound of a repeat scan);
 *   <li>resident memory settled {@code settleSeconds} after the last scan (idle), and the peak (VmHWM).
 * </ul>
 */
final class RunningAgent {
    /** The scan thread's name as Linux keeps it (15 characters): "patchtide-agent-scan" cut short. */
    private static final String SCAN_THREAD = "patchtide-agent";

    private final String label;
    private final List<String> launcher;
    private final String stateDir;

    RunningAgent(String label, String launcher, String stateDir) {
        this.label = label;
        this.launcher = List.of(launcher.strip().split("\\s+"));
        this.stateDir = stateDir;
    }

    /** LABEL=LAUNCHER|STATE_DIR, the launcher possibly several words ("./patchtide agent"). */
    static RunningAgent parse(String spec) {
        int eq = spec.indexOf('=');
        String[] parts = spec.substring(eq + 1).split("\\|", -1);
        if (eq < 1 || parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new IllegalArgumentException("--agent takes LABEL=LAUNCHER|STATE_DIR, got " + spec);
        }
        return new RunningAgent(spec.substring(0, eq), parts[0], parts[1]);
    }

    String label() {
        return "agent " + label;
    }

    /** One run: start, {@code repeats} repeat scans, settle, stop; figures go to {@code cost}. */
    void measure(ScanCost cost, int repeats, int scanInterval, int settleSeconds) throws Exception {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(
                "run",
                "--state-dir",
                stateDir,
                "--scan-interval",
                "PT" + scanInterval + "S",
                "--heartbeat-interval",
                "PT60S"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        BlockingQueue<String> scans = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> follow(p, scans));
        try {
            long pid = javaPid(p);
            long timeout = 300 + scanInterval;
            awaitScan(scans, timeout);
            cost.add(label(), "start to first report CPU s", ScanCost.ticks(pid) / ScanCost.TICKS);
            cost.add(label(), "first scan, scan thread CPU s", scanThreadTicks(pid) / ScanCost.TICKS);
            for (int i = 0; i < repeats; i++) {
                long before = ScanCost.ticks(pid);
                awaitScan(scans, timeout);
                cost.add(label(), "repeat scan interval CPU s", (ScanCost.ticks(pid) - before) / ScanCost.TICKS);
            }
            Thread.sleep(settleSeconds * 1000L);
            cost.add(label(), "idle RSS MB (after scans)", ScanCost.status(pid, "VmRSS") / 1024.0);
            cost.add(label(), "  of it anonymous MB", ScanCost.status(pid, "RssAnon") / 1024.0);
            // shared file pages (libjvm, the jimage, a class archive) counted once per process mapping them
            cost.add(label(), "idle PSS MB (after scans)", ScanCost.rollup(pid, "Pss") / 1024.0);
            cost.add(label(), "peak RSS MB", ScanCost.status(pid, "VmHWM") / 1024.0);
            cost.add(label(), "threads", ScanCost.status(pid, "Threads"));
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            reader.join(5000);
        }
    }

    private static void follow(Process p, BlockingQueue<String> scans) {
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.contains("patch scan reported") || line.contains("patch scan failed")) {
                    scans.add(line);
                }
            }
        } catch (IOException e) {
            scans.add("output lost: " + e.getMessage());
        }
    }

    private void awaitScan(BlockingQueue<String> scans, long timeoutSeconds) throws Exception {
        String line = scans.poll(timeoutSeconds, TimeUnit.SECONDS);
        if (line == null || !line.contains("patch scan reported")) {
            throw new IOException(label() + ": expected a scan report, got " + line);
        }
    }

    /**
     * The JVM's pid: the launchers exec java (the packaged one, and ./patchtide), so it is the process started,
     * once it has exec'd; waits for that so a shell's CPU is not read instead.
     */
    private long javaPid(Process p) throws Exception {
        for (int i = 0; i < 200; i++) {
            String exe = p.info().command().orElse("");
            if (exe.endsWith("/java")) {
                return p.pid();
            }
            if (!p.isAlive()) {
                throw new IOException(label() + " exited with " + p.exitValue());
            }
            Thread.sleep(50);
        }
        throw new IOException(label() + ": the launcher did not exec java");
    }

    private static long scanThreadTicks(long pid) throws IOException {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                if (Files.readString(task.resolve("comm")).strip().equals(SCAN_THREAD)) {
                    ticks += ScanCost.ticks(task.resolve("stat"));
                }
            }
        }
        return ticks;
    }
}
