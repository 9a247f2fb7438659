package dev.patchtide.bench.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scan costs next to {@code apt list --upgradable}, in one run on this machine: whole-process CPU
 * (user + system) and peak resident memory of apt, of each one-shot command given ({@code patchtide agent
 * scan}), of scans inside long-running scan processes ({@link ScanDaemon}: the first scan, the repeat scans,
 * resident memory idle before and after) and of the agent as deployed ({@link RunningAgent}: {@code
 * patchtide-agent run} against a server), alternating them round after round and printing medians.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.patchtide.bench.agent.ScanCost --rounds 3 \
 *     --daemon after=@agent/src/main/dist/agent-jvm.options \
 *     --oneshot 'after=./patchtide agent scan' \
 *     --agent 'packaged=/tmp/deb/usr/bin/patchtide-agent|/tmp/state'
 * </pre>
 *
 * {@code --daemon LABEL=@OPTIONS_FILE[|CLASSPATH[|fresh][|JAVA]]} runs a daemon with those JVM options
 * ({@code @} alone for none) on that class path (this one's by default) with that java (this one's by
 * default); {@code fresh} scans with a new scanner each time, as an agent built before scanners were kept
 * does. One-shot commands run through {@code /usr/bin/time}, which reports CPU and peak RSS of the process
 * and its children. {@code --agent LABEL=LAUNCHER|STATE_DIR} runs {@code LAUNCHER run --state-dir
 * STATE_DIR} with scans every {@code --scan-interval} seconds (30) and reads its memory {@code --settle}
 * seconds (20) after its last scan.
 */
public final class ScanCost {
    static final double TICKS = 100.0; // USER_HZ

    private record Daemon(String label, List<String> jvmOptions, String classpath, boolean fresh, String java) {}

    private final Map<String, List<Double>> figures = new LinkedHashMap<>();

    private ScanCost() {}

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int repeats = 3;
        String root = "/";
        int scanInterval = 30;
        int settle = 20;
        List<Daemon> daemons = new ArrayList<>();
        List<RunningAgent> agents = new ArrayList<>();
        Map<String, String> oneShots = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--root" -> root = args[++i];
                case "--daemon" -> daemons.add(daemon(args[++i]));
                case "--agent" -> agents.add(RunningAgent.parse(args[++i]));
                case "--scan-interval" -> scanInterval = Integer.parseInt(args[++i]);
                case "--settle" -> settle = Integer.parseInt(args[++i]);
                case "--oneshot" -> {
                    String spec = args[++i];
                    oneShots.put(spec.substring(0, spec.indexOf('=')), spec.substring(spec.indexOf('=') + 1));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        ScanCost cost = new ScanCost();
        for (int round = 1; round <= rounds; round++) {
            System.err.println("round " + round + " of " + rounds);
            cost.command("apt list --upgradable", "apt list --upgradable");
            for (Map.Entry<String, String> shot : oneShots.entrySet()) {
                cost.command("one-shot " + shot.getKey(), shot.getValue());
            }
            for (Daemon d : daemons) {
                cost.daemon(d, root, repeats);
            }
            for (RunningAgent a : agents) {
                a.measure(cost, repeats, scanInterval, settle);
            }
        }
        cost.print(System.out, rounds);
    }

    private static Daemon daemon(String spec) throws IOException {
        String label = spec.substring(0, spec.indexOf('='));
        String[] parts = spec.substring(spec.indexOf('=') + 1).split("\\|", -1);
        List<String> options = new ArrayList<>();
        if (!parts[0].equals("@")) {
            for (String line : Files.readAllLines(Path.of(parts[0].substring(1)))) {
                if (!line.isBlank() && !line.strip().startsWith("#")) {
                    options.add(line.strip());
                }
            }
        }
        String classpath = parts.length > 1 && !parts[1].isEmpty() ? parts[1] : System.getProperty("java.class.path");
        boolean fresh = parts.length > 2 && parts[2].equals("fresh");
        String java = parts.length > 3 && !parts[3].isEmpty()
                ? parts[3]
                : Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new Daemon(label, options, classpath, fresh, java);
    }

    /** Runs {@code line} through GNU time: wall, user, system seconds and peak RSS in KB. */
    private void command(String label, String line) throws Exception {
        Path out = Files.createTempFile("scancost", ".time");
        try {
            Process p = new ProcessBuilder(
                            "/usr/bin/time", "-o", out.toString(), "-f", "%e %U %S %M", "bash", "-c", line)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (p.waitFor() != 0) {
                throw new IOException(label + " failed with exit code " + p.exitValue());
            }
            List<String> lines = Files.readAllLines(out);
            String[] f = lines.getLast().strip().split(" ");
            add(label, "wall s", Double.parseDouble(f[0]));
            add(label, "CPU s", Double.parseDouble(f[1]) + Double.parseDouble(f[2]));
            add(label, "peak RSS MB", Double.parseDouble(f[3]) / 1024);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private void daemon(Daemon d, String root, int repeats) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(d.java());
        command.addAll(d.jvmOptions());
        command.addAll(List.of("-cp", d.classpath(), ScanDaemon.class.getName(), root));
        if (d.fresh()) {
            command.add("fresh");
        }
        String label = "daemon " + d.label();
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter in = new PrintWriter(p.getOutputStream(), true, StandardCharsets.UTF_8)) {
            expect(out, "ready", label);
            add(label, "start-up CPU s", ticks(p.pid()) / TICKS);
            add(label, "start-up wall s", (System.nanoTime() - started) / 1e9);
            Thread.sleep(1000);
            add(label, "idle RSS MB (started)", status(p.pid(), "VmRSS") / 1024.0);
            for (int i = 0; i <= repeats; i++) {
                String kind = i == 0 ? "first scan" : "repeat scan";
                long before = ticks(p.pid());
                long t0 = System.nanoTime();
                in.println("scan");
                expect(out, "scanned", label);
                add(label, kind + " CPU s", (ticks(p.pid()) - before) / TICKS);
                add(label, kind + " wall s", (System.nanoTime() - t0) / 1e9);
            }
            Thread.sleep(2000);
            add(label, "idle RSS MB (after scans)", status(p.pid(), "VmRSS") / 1024.0);
            add(label, "peak RSS MB", status(p.pid(), "VmHWM") / 1024.0);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    private static void expect(BufferedReader out, String prefix, String label) throws IOException {
        String line = out.readLine();
        if (line == null || !line.startsWith(prefix)) {
            throw new IOException(label + " answered " + line + " instead of " + prefix);
        }
    }

    /** utime + stime of a live process, in clock ticks, from /proc/PID/stat. */
    static long ticks(long pid) throws IOException {
        return ticks(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** utime + stime from a stat file of /proc (a process's, or one thread's under task/). */
    static long ticks(Path statFile) throws IOException {
        String stat = Files.readString(statFile);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** A figure of /proc/PID/status (VmRSS, VmHWM, RssAnon in kB; Threads). */
    static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(
                        line.substring(field.length() + 1).replace("kB", "").strip());
            }
        }
        throw new IOException("no " + field + " in /proc/" + pid + "/status");
    }

    /** A figure of /proc/PID/smaps_rollup (Rss, Pss, Anonymous in kB). */
    static long rollup(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(
                        line.substring(field.length() + 1).replace("kB", "").strip());
            }
        }
        throw new IOException("no " + field + " in /proc/" + pid + "/smaps_rollup");
    }

    /** The values of one measure so far, in order (empty if none). */
    List<Double> values(String label, String measure) {
        return List.copyOf(figures.getOrDefault(label + "\t" + measure, List.of()));
    }

    /** An empty set of figures, for a measurement run from elsewhere than {@link #main}. */
    static ScanCost create() {
        return new ScanCost();
    }

    void add(String label, String measure, double value) {
        figures.computeIfAbsent(label + "\t" + measure, k -> new ArrayList<>()).add(value);
    }

    private void print(PrintStream out, int rounds) throws IOException {
        out.printf(
                "load average at the end: %s%n",
                Files.readString(Path.of("/proc/loadavg")).strip());
        out.printf("%-34s %-28s %8s   %s%n", "what", "measure", "median", "all (" + rounds + " rounds)");
        for (Map.Entry<String, List<Double>> e : figures.entrySet()) {
            String[] key = e.getKey().split("\t");
            double[] v = e.getValue().stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            out.printf(
                    "%-34s %-28s %8.2f   %s%n",
                    key[0],
                    key[1],
                    median,
                    Arrays.toString(e.getValue().stream()
                            .map(x -> String.format("%.2f", x))
                            .toArray()));
        }
    }
}
