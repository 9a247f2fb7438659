package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.core.auth.SigV4Credentials;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Issue 10, must show 6 (a): a maintenance window over N agents waiting in their long poll (target registered by
 * tag key, one RUN_COMMAND task, {@code MaxConcurrency} 100%), scheduled {@code at()} a few seconds ahead on the
 * server's own clock. For each run: the server's and PostgreSQL's CPU per invocation from the window's fire to the
 * end of its execution (window execution, task, command, and every invocation's delivery, InProgress and result),
 * the same less what the waiting fleet costs when nothing runs (measured first), and the time from the fire to
 * each agent's receipt.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.patchtide.bench.fleet.WindowDelivery --hosts 10000 --runs 3</pre>
 */
public final class WindowDelivery {
    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    /** The window fires this long after it is created: time to register its target and task. */
    private static final Duration LEAD = Duration.ofSeconds(8);

    private WindowDelivery() {}

    public static void main(String[] args) throws Exception {
        CommandDelivery.Options o;
        try {
            o = CommandDelivery.Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path dir = Files.createTempDirectory("window-delivery");
        try {
            run(o, dir, System.out);
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    static void run(CommandDelivery.Options o, Path dir, PrintStream out) throws Exception {
        out.printf(
                "window over %d agents: server in a child JVM (-Xmx%s, pool %d), PostgreSQL in this JVM, load average"
                        + " %.1f, JDK %s%n",
                o.hosts(), o.serverHeap(), o.pool(), CommandDelivery.load(), Runtime.version());
        try (CommandRig rig =
                CommandRig.start(dir, o.hosts(), o.concurrency(), o.pool(), List.of("-Xmx" + o.serverHeap()), out)) {
            try {
                measure(o, rig, out);
            } catch (Exception | Error e) {
                System.err.println("the server's log:\n" + rig.server().tail());
                throw e;
            }
        }
    }

    private static void measure(CommandDelivery.Options o, CommandRig rig, PrintStream out) throws Exception {
        ChildServer server = rig.server();
        CommandAgents agents = rig.startAgents(20);
        CommandDelivery.waitFor(() -> agents.polling() == o.hosts(), Duration.ofMinutes(5), "every agent polling");
        Thread.sleep(5_000); // the last polls reach the server and are held
        CpuMeter pg = rig.postgresCpu();
        double s0 = server.cpuSeconds();
        CpuMeter.Snapshot p0 = pg.snapshot();
        long t0 = System.nanoTime();
        Thread.sleep(o.idleSeconds() * 1000L);
        double idle = (System.nanoTime() - t0) / 1e9;
        double serverIdle = (server.cpuSeconds() - s0) / idle;
        double pgIdle = pg.snapshot().since(p0).postgresSeconds() / idle;
        out.printf(
                "%d agents waiting, nothing sent: server %.1f%% of a core, PostgreSQL %.1f%%%n",
                o.hosts(), serverIdle * 100, pgIdle * 100);
        Windows windows = new Windows(rig);
        List<double[]> runs = new ArrayList<>();
        for (int r = 1; r <= o.runs(); r++) {
            Set<String> before = Set.copyOf(agents.receipts().stream()
                    .map(CommandAgents.Receipt::commandId)
                    .toList());
            // Scheduled for its fire only once its target and task are registered: on a loaded machine those calls
            // took longer than the lead, and the window ran with no task (SUCCESS, nothing sent).
            String windowId = windows.create("bench-window-" + r, Instant.now().plus(Duration.ofHours(1)));
            Instant fire = Instant.now().plus(LEAD).truncatedTo(ChronoUnit.SECONDS);
            windows.reschedule(windowId, fire);
            // Measured from just before the fire: what the registration calls cost is not the scheduler's.
            sleepUntil(fire.minusMillis(300));
            CpuMeter.Snapshot pgBefore = pg.snapshot();
            double serverBefore = server.cpuSeconds();
            long start = System.nanoTime();
            long fireNanos = start + Duration.between(Instant.now(), fire).toNanos();
            CommandDelivery.waitFor(
                    () -> windows.finished(windowId), Duration.ofMinutes(10), "the window execution's end", () -> {
                        try {
                            return windows.executions(windowId).toString();
                        } catch (IOException | ApiCallException e) {
                            return e.toString();
                        }
                    });
            double seconds = (System.nanoTime() - start) / 1e9;
            double serverCpu = server.cpuSeconds() - serverBefore;
            double pgCpu = pg.snapshot().since(pgBefore).postgresSeconds();
            long[] latencies = agents.receipts().stream()
                    .filter(x -> !before.contains(x.commandId()))
                    .mapToLong(x -> x.receivedNanos() - fireNanos)
                    .sorted()
                    .toArray();
            double perServer = serverCpu * 1000 / o.hosts();
            double perPg = pgCpu * 1000 / o.hosts();
            double netServer = (serverCpu - serverIdle * seconds) * 1000 / o.hosts();
            double netPg = (pgCpu - pgIdle * seconds) * 1000 / o.hosts();
            out.printf(
                    "run %d: %s; %d receipts, fire → receipt p50 %.0f ms, p99 %.0f ms, max %.0f ms; execution done %.1f s"
                            + " after the fire; CPU per invocation: server %.3f ms + PostgreSQL %.3f ms (less the idle"
                            + " fleet's: %.3f + %.3f ms)%n",
                    r,
                    windows.executions(windowId),
                    latencies.length,
                    pct(latencies, 0.50),
                    pct(latencies, 0.99),
                    latencies.length == 0 ? 0 : latencies[latencies.length - 1] / 1e6,
                    seconds - (fireNanos - start) / 1e9,
                    perServer,
                    perPg,
                    netServer,
                    netPg);
            runs.add(new double[] {perServer, perPg, netServer, netPg, pct(latencies, 0.99)});
            Thread.sleep(3_000); // every agent back in its poll
        }
        out.printf(
                "MEDIANS of %d runs: CPU per invocation server %.3f ms + PostgreSQL %.3f ms; less the idle fleet's"
                        + " %.3f + %.3f ms; fire → receipt p99 %.0f ms; load average now %.1f; agents' retries %d,"
                        + " oddities %s%n",
                runs.size(),
                median(runs, 0),
                median(runs, 1),
                median(runs, 2),
                median(runs, 3),
                median(runs, 4),
                CommandDelivery.load(),
                agents.retries(),
                agents.oddities().stream().limit(3).toList());
    }

    /** The maintenance-window calls of the admin, as the AWS CLI makes them. */
    private static final class Windows {
        private final FleetClient client;
        private final SigV4Credentials admin;

        Windows(CommandRig rig) {
            this.client = rig.client();
            this.admin = rig.admin();
        }

        /** A window firing once at {@code fire} (UTC) over every instance with the fleet's tag key. */
        String create(String name, Instant fire) throws IOException, ApiCallException {
            Map<String, Object> window = new LinkedHashMap<>();
            window.put("Name", name);
            window.put("Schedule", "at(" + AT.format(LocalDateTime.ofInstant(fire, ZoneOffset.UTC)) + ")");
            window.put("Duration", 2);
            window.put("Cutoff", 1);
            window.put("AllowUnassociatedTargets", false);
            String windowId = call("AmazonSSM.CreateMaintenanceWindow", window)
                    .path("WindowId")
                    .asText();
            String targetId = call(
                            "AmazonSSM.RegisterTargetWithMaintenanceWindow",
                            Map.of(
                                    "WindowId",
                                    windowId,
                                    "ResourceType",
                                    "INSTANCE",
                                    "Targets",
                                    List.of(Map.of("Key", "tag-key", "Values", List.of(CommandRig.FLEET_TAG)))))
                    .path("WindowTargetId")
                    .asText();
            Map<String, Object> task = new LinkedHashMap<>();
            task.put("WindowId", windowId);
            task.put("TaskType", "RUN_COMMAND");
            task.put("TaskArn", "AWS-RunShellScript");
            task.put("Targets", List.of(Map.of("Key", "WindowTargetIds", "Values", List.of(targetId))));
            task.put("MaxConcurrency", "100%");
            task.put("MaxErrors", "0");
            task.put(
                    "TaskInvocationParameters",
                    Map.of("RunCommand", Map.of("Parameters", Map.of("commands", List.of("true")))));
            call("AmazonSSM.RegisterTaskWithMaintenanceWindow", task);
            return windowId;
        }

        void reschedule(String windowId, Instant fire) throws IOException, ApiCallException {
            call(
                    "AmazonSSM.UpdateMaintenanceWindow",
                    Map.of(
                            "WindowId",
                            windowId,
                            "Schedule",
                            "at(" + AT.format(LocalDateTime.ofInstant(fire, ZoneOffset.UTC)) + ")"));
        }

        List<String> executions(String windowId) throws IOException, ApiCallException {
            List<String> statuses = new ArrayList<>();
            for (JsonNode e : call("AmazonSSM.DescribeMaintenanceWindowExecutions", Map.of("WindowId", windowId))
                    .path("WindowExecutions")) {
                statuses.add(e.path("Status").asText());
            }
            return statuses;
        }

        boolean finished(String windowId) throws IOException, ApiCallException {
            List<String> statuses = executions(windowId);
            return !statuses.isEmpty()
                    && statuses.stream().noneMatch(s -> s.equals("PENDING") || s.equals("IN_PROGRESS"));
        }

        private JsonNode call(String target, Map<String, Object> body) throws IOException, ApiCallException {
            return client.call(target, body, Optional.of(admin));
        }
    }

    private static void sleepUntil(Instant at) throws InterruptedException {
        long millis = Duration.between(Instant.now(), at).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static double median(List<double[]> runs, int column) {
        double[] v = runs.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
