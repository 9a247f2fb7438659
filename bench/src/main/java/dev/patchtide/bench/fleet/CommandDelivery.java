package dev.patchtide.bench.fleet;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 10, must show 6 (b): a command delivered to N agents already waiting in their long poll, against a
 * server in a child JVM (its CPU and memory apart from the simulator's). Prints, for each run, the latency
 * from the start of {@code SendCommand} to each agent's receipt (p50, p99, max), the server's and
 * PostgreSQL's CPU per invocation from send to the command's end (each invocation: delivery, InProgress and
 * the final report), and, before the runs, the server's heap and RSS with no agent polling and with all of
 * them waiting, and what the waiting costs while nothing is sent.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.patchtide.bench.fleet.CommandDelivery --hosts 10000 --runs 3</pre>
 */
public final class CommandDelivery {
    private CommandDelivery() {}

    record Options(
            int hosts,
            int runs,
            int concurrency,
            int pool,
            String serverHeap,
            int idleSeconds,
            double runSeconds,
            boolean timeline,
            boolean stream) {
        static Options parse(String[] args) {
            int hosts = 10_000, runs = 3, concurrency = 32, pool = 20, idle = 20;
            double runFor = 0;
            boolean timeline = false;
            boolean stream = true;
            String heap = "2g";
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String v = args[i + 1];
                switch (args[i]) {
                    case "--hosts" -> hosts = Integer.parseInt(v);
                    case "--runs" -> runs = Integer.parseInt(v);
                    case "--concurrency" -> concurrency = Integer.parseInt(v);
                    case "--db-pool-size" -> pool = Integer.parseInt(v);
                    case "--server-heap" -> heap = v;
                    case "--idle-seconds" -> idle = Integer.parseInt(v);
                    case "--run-seconds" -> runFor = Double.parseDouble(v);
                    case "--timeline" -> timeline = Boolean.parseBoolean(v);
                    case "--stream" -> stream = Boolean.parseBoolean(v);
                    default ->
                        throw new IllegalArgumentException("unknown option " + args[i]
                                + " (--hosts, --runs, --concurrency, --db-pool-size, --server-heap, --idle-seconds,"
                                + " --run-seconds, --timeline, --stream)");
                }
            }
            if (!(runFor >= 0 && runFor <= 600)) {
                throw new IllegalArgumentException("--run-seconds must be from 0 to 600");
            }
            return new Options(hosts, runs, concurrency, pool, heap, idle, runFor, timeline, stream);
        }
    }

    /** One run: latencies from send to receipt (ms), and CPU per invocation (ms). */
    record Run(
            double sendMillis,
            double p50,
            double p99,
            double max,
            double serverCpu,
            double postgresCpu,
            double seconds) {
        String summary(int n) {
            return String.format(
                    "run %d: SendCommand answered in %.0f ms; receipt after send p50 %.0f ms, p99 %.0f ms, max %.0f ms;"
                            + " command done in %.1f s; CPU per invocation: server %.3f ms + PostgreSQL %.3f ms",
                    n, sendMillis, p50, p99, max, seconds, serverCpu, postgresCpu);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path dir = Files.createTempDirectory("command-delivery");
        try {
            run(o, dir, System.out);
        } finally {
            delete(dir);
        }
    }

    static List<Run> run(Options o, Path dir, PrintStream out) throws Exception {
        out.printf(
                "command delivery: %d agents (%s, each run takes %.1f s), server in a child JVM (-Xmx%s, pool %d),"
                        + " PostgreSQL in this JVM, %d cores, load average %.1f, JDK %s%n",
                o.hosts(),
                o.stream() ? "held streams" : "plain polls",
                o.runSeconds(),
                o.serverHeap(),
                o.pool(),
                Runtime.getRuntime().availableProcessors(),
                load(),
                Runtime.version());
        List<Run> runs = new ArrayList<>();
        List<String> jvm = new ArrayList<>(List.of("-Xmx" + o.serverHeap()));
        if (o.timeline()) {
            jvm.add("-D" + ServerTimeline.LOGGER_PROPERTY + "=debug");
        }
        try (CommandRig rig = CommandRig.start(dir, o.hosts(), o.concurrency(), o.pool(), jvm, out)) {
            try {
                measure(o, rig, runs, out);
            } catch (Exception | Error e) {
                System.err.println("the server's log:\n" + rig.server().tail());
                throw e;
            }
        }
        return runs;
    }

    private static void measure(Options o, CommandRig rig, List<Run> runs, PrintStream out) throws Exception {
        ChildServer server = rig.server();
        long[] heap = server.heap();
        out.printf(
                "server, enrolled, no agent polling: heap %s used after GC (%s committed), RSS %s%n",
                mib(heap[0]), mib(heap[1]), mib(server.rssBytes()));
        CommandAgents agents = rig.startAgents(20, o.stream());
        waitFor(() -> agents.polling() == o.hosts(), Duration.ofMinutes(5), "every agent polling");
        Thread.sleep(5_000); // the last polls reach the server and are held
        CpuMeter pg = rig.postgresCpu();
        double s0 = server.cpuSeconds();
        CpuMeter.Snapshot p0 = pg.snapshot();
        long polls0 = agents.polls();
        long t0 = System.nanoTime();
        Thread.sleep(o.idleSeconds() * 1000L);
        double idle = (System.nanoTime() - t0) / 1e9;
        CpuMeter.Usage pgIdle = pg.snapshot().since(p0);
        out.printf(
                "%d agents waiting, nothing sent, %.0f s: %.0f polls/s (each held 20 s, then renewed);"
                        + " server CPU %.1f%% of a core, PostgreSQL %.1f%%%n",
                o.hosts(),
                idle,
                (agents.polls() - polls0) / idle,
                (server.cpuSeconds() - s0) * 100 / idle,
                pgIdle.postgresSeconds() * 100 / idle);
        heap = server.heap();
        out.printf(
                "server with %d agents waiting: heap %s used after GC (%s committed), RSS %s%n",
                o.hosts(), mib(heap[0]), mib(heap[1]), mib(server.rssBytes()));
        CommandCalls calls = rig.commands();
        // 0 s: each result is reported as soon as the invocation arrives, racing the deliveries still under way;
        // a real command runs for seconds (--run-seconds).
        agents.script(CommandAgents.Script.of(Duration.ofMillis(Math.round(o.runSeconds() * 1000)), 0));
        for (int r = 1; r <= o.runs(); r++) {
            Thread.sleep(3_000); // every agent back in its poll
            CpuMeter.Snapshot pgBefore = pg.snapshot();
            double serverBefore = server.cpuSeconds();
            long startMicros = ServerTimeline.nowMicros();
            int sentAgainBefore = rig.client().adminCallsSentAgain();
            long start = System.nanoTime();
            String id = calls.sendToTagKey(CommandRig.FLEET_TAG, "100%", "0", "delivery run " + r);
            long sent = System.nanoTime();
            int sentAgain = rig.client().adminCallsSentAgain() - sentAgainBefore;
            if (sentAgain > 0) {
                out.printf("run %d: SendCommand was sent %d more time(s): no connection at first%n", r, sentAgain);
            }
            CommandAgents.CommandTally tally = agents.tally(id);
            waitFor(
                    () -> tally.received.get() == o.hosts(),
                    Duration.ofMinutes(5),
                    "every receipt (" + o.hosts() + ")",
                    () -> tally.received.get() + " received, the agents' calls sent again " + agents.retries() + " "
                            + agents.retryCauses());
            waitFor(
                    () -> calls.status(id).finished(),
                    Duration.ofMinutes(5),
                    "the command's end",
                    () -> tally.finished() + " results taken, the agents' calls sent again " + agents.retries() + " "
                            + agents.retryCauses());
            long end = System.nanoTime();
            double serverCpu = server.cpuSeconds() - serverBefore;
            double pgCpu = pg.snapshot().since(pgBefore).postgresSeconds();
            long[] latencies = agents.receipts().stream()
                    .filter(x -> x.commandId().equals(id))
                    .mapToLong(x -> x.receivedNanos() - start)
                    .sorted()
                    .toArray();
            Run run = new Run(
                    (sent - start) / 1e6,
                    pct(latencies, 0.50),
                    pct(latencies, 0.99),
                    latencies[latencies.length - 1] / 1e6,
                    serverCpu * 1000 / o.hosts(),
                    pgCpu * 1000 / o.hosts(),
                    (end - start) / 1e9);
            out.println(run.summary(r) + "; status " + calls.status(id).status());
            if (o.timeline()) {
                ServerTimeline.print(server.logFile(), startMicros, latencies, out);
            }
            runs.add(run);
        }
        out.printf(
                "MEDIANS of %d runs: receipt p50 %.0f ms, p99 %.0f ms; CPU per invocation server %.3f ms +"
                        + " PostgreSQL %.3f ms; load average now %.1f; agents' retries %d, oddities %s%n",
                runs.size(),
                median(runs.stream().mapToDouble(Run::p50)),
                median(runs.stream().mapToDouble(Run::p99)),
                median(runs.stream().mapToDouble(Run::serverCpu)),
                median(runs.stream().mapToDouble(Run::postgresCpu)),
                load(),
                agents.retries(),
                agents.oddities().stream().limit(3).toList());
        out.println("calls sent again, by cause: " + agents.retryCauses());
    }

    interface Check {
        boolean done() throws Exception;
    }

    static void waitFor(Check check, Duration timeout, String what) throws Exception {
        waitFor(check, timeout, what, () -> "");
    }

    /** As above; {@code progress} says how far it got when the time is up. */
    static void waitFor(Check check, Duration timeout, String what, java.util.function.Supplier<String> progress)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.done()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + what + " within " + timeout + ": " + progress.get());
            }
            Thread.sleep(10);
        }
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static double median(java.util.stream.DoubleStream values) {
        double[] v = values.sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double load() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String mib(long bytes) {
        return String.format("%.0f MiB", bytes / 1048576.0);
    }

    private static void delete(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }
}
