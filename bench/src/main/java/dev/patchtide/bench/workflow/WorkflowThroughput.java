package dev.patchtide.bench.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.bench.fleet.CpuMeter;
import dev.patchtide.bench.fleet.ServerTarget;
import dev.patchtide.bench.fleet.StatementStats;
import dev.patchtide.workflow.definition.Definitions;
import dev.patchtide.workflow.definition.StateMachine;
import dev.patchtide.workflow.run.Environment;
import dev.patchtide.workflow.run.ExecutionContext;
import dev.patchtide.workflow.run.HistoryEvent;
import dev.patchtide.workflow.run.LocalRunner;
import dev.patchtide.workflow.run.Outcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * State transitions per second for the same definitions three ways, in one run: EXPRESS (the engine in memory),
 * STANDARD (durable executions on a server with embedded PostgreSQL, every step stored) and moto's Step Functions
 * interpreter (bench/moto/sfn_side_by_side.py). A transition is a {@code …StateEntered} event, as AWS counts
 * them for billing. Before it compares speeds it checks that all three agree on each definition's output.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar dev.patchtide.bench.workflow.WorkflowThroughput \
 *     [--express-seconds 10] [--standard-executions 2000] [--moto-executions 20] [--only NAME] [--clients 8]
 *     [--standard-warmup 0] [--statement-stats]
 * }</pre>
 */
public final class WorkflowThroughput {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DEFINITIONS = List.of("pass-chain", "choice-loop", "map", "parallel", "jsonata");
    /** moto 5.2.1 here has no JSONata evaluator installed: it fails every JSONata state. */
    private static final List<String> MOTO_CANNOT = List.of("jsonata");

    private WorkflowThroughput() {}

    record Figures(String name, int transitionsPerExecution, double express, double standard, double moto) {}

    public static void main(String[] args) throws Exception {
        int expressSeconds = intOption(args, "--express-seconds", 10);
        int standardExecutions = intOption(args, "--standard-executions", 2_000);
        int motoExecutions = intOption(args, "--moto-executions", 20);
        int clients = intOption(args, "--clients", 8);
        int standardWarmup = intOption(args, "--standard-warmup", 0);
        Optional<String> only = stringOption(args, "--only");
        boolean statements = List.of(args).contains("--statement-stats");
        Path dir = Files.createTempDirectory(
                "workflow-bench", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        String input = resource("input.json");
        Files.writeString(dir.resolve("input.json"), input);
        List<Figures> figures = new ArrayList<>();
        try (ServerTarget server = ServerTarget.inProcess(dir.resolve("server"), "us-east-1", 20, statements)) {
            ApiClient client =
                    new ApiClient(server.endpoint(), "us-east-1", Optional.of(server.admin()), Clock.systemUTC());
            for (String name : DEFINITIONS) {
                if (only.isPresent() && !only.get().equals(name)) {
                    continue;
                }
                String definition = resource(name + ".json");
                Path file = dir.resolve(name + ".json");
                Files.writeString(file, definition);
                StateMachine machine = Definitions.parse(definition);
                LocalRunner.Result once = runExpress(machine, JSON.readTree(input), true);
                JsonNode expected = output(once.outcome());
                int transitions = countTransitions(once.events());
                double express = expressRate(machine, JSON.readTree(input), transitions, expressSeconds);
                var cpuBefore = new AtomicReference<CpuMeter.Snapshot>();
                double standard = standardRate(
                                client,
                                name,
                                definition,
                                input,
                                standardExecutions,
                                standardWarmup,
                                clients,
                                expected,
                                () -> {
                                    server.statementStats().ifPresent(StatementStats::reset);
                                    cpuBefore.set(server.cpu().snapshot());
                                })
                        * transitions;
                // CPU per execution says what a start costs even when other work on the machine slows the clock.
                var cpu = server.cpu().snapshot().since(cpuBefore.get());
                System.out.printf(
                        "%-12s STANDARD CPU per execution: %.2f ms in this JVM (server and clients), %.2f ms in"
                                + " PostgreSQL (timed phase, after %d warm-up executions)%n",
                        name,
                        cpu.jvmSeconds() * 1000 / standardExecutions,
                        cpu.postgresSeconds() * 1000 / standardExecutions,
                        standardWarmup);
                server.statementStats().ifPresent(db -> StatementStats.print(db, 20, System.out));
                double moto = MOTO_CANNOT.contains(name)
                        ? Double.NaN
                        : motoRate(file, dir.resolve("input.json"), motoExecutions, expected);
                Figures f = new Figures(name, transitions, express, standard, moto);
                figures.add(f);
                System.out.printf(
                        "%-12s %3d transitions/execution  EXPRESS %,12.0f/s  STANDARD %,9.0f/s  moto %,7.1f/s"
                                + "  STANDARD/moto %,8.0f×  EXPRESS/moto %,10.0f×%n",
                        name, transitions, express, standard, moto, standard / moto, express / moto);
            }
        } finally {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One execution; with {@code history} false it runs as the server runs EXPRESS executions. */
    private static LocalRunner.Result runExpress(StateMachine machine, JsonNode input, boolean history)
            throws InterruptedException {
        ExecutionContext context = new ExecutionContext(
                "arn:aws:states:us-east-1:123456789012:express:bench:run",
                "run",
                "arn:aws:iam::123456789012:role/bench",
                Instant.now(),
                "arn:aws:states:us-east-1:123456789012:stateMachine:bench",
                "bench",
                0);
        return new LocalRunner(machine, history)
                .run(
                        input,
                        context,
                        ENVIRONMENT,
                        task -> {
                            throw new IllegalStateException("the bench's definitions have no tasks");
                        },
                        due -> {});
    }

    /** One thread per core, each running executions back to back for the given time. */
    private static double expressRate(StateMachine machine, JsonNode input, int transitions, int seconds)
            throws Exception {
        runFor(machine, input, Math.max(2, seconds / 3)); // warm-up: JIT, compiled paths and expressions
        int threads = Runtime.getRuntime().availableProcessors();
        long start = System.nanoTime();
        List<Future<Long>> counts = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int t = 0; t < threads; t++) {
                counts.add(pool.submit(() -> runFor(machine, input, seconds)));
            }
            long executions = 0;
            for (Future<Long> c : counts) {
                executions += c.get();
            }
            return executions * transitions / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static long runFor(StateMachine machine, JsonNode input, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long executions = 0;
        while (System.nanoTime() < end) {
            runExpress(machine, input, false);
            executions++;
        }
        return executions;
    }

    /** STANDARD executions per second: all started by {@code clients} threads, timed until none is RUNNING. */
    private static double standardRate(
            ApiClient client,
            String name,
            String definition,
            String input,
            int executions,
            int warmup,
            int clients,
            JsonNode expected,
            Runnable cpuBefore)
            throws Exception {
        String machineArn = client.call(
                        "AWSStepFunctions.CreateStateMachine",
                        Map.of(
                                "name",
                                "bench-" + name,
                                "definition",
                                definition,
                                "roleArn",
                                "arn:aws:iam::123456789012:role/bench"))
                .path("stateMachineArn")
                .asText();
        String first = start(client, machineArn, input);
        awaitNoneRunning(client, machineArn);
        JsonNode described = client.call("AWSStepFunctions.DescribeExecution", Map.of("executionArn", first));
        if (!"SUCCEEDED".equals(described.path("status").asText())
                || !JSON.readTree(described.path("output").asText()).equals(expected)) {
            throw new IllegalStateException(name + ": STANDARD disagrees with EXPRESS: " + described);
        }
        if (warmup > 0) {
            // Not timed: the JIT compiles the start path first (a short timed phase otherwise spent a third of
            // this JVM's CPU in the compiler threads: JFR's ThreadCPULoad), as it has on a server that has run.
            startAll(client, machineArn, input, warmup, clients);
            awaitNoneRunning(client, machineArn);
        }
        cpuBefore.run();
        long startNanos = System.nanoTime();
        startAll(client, machineArn, input, executions, clients);
        awaitNoneRunning(client, machineArn);
        return executions / ((System.nanoTime() - startNanos) / 1e9);
    }

    /** Starts {@code executions} executions from {@code clients} threads, each answered before it counts. */
    private static void startAll(ApiClient client, String machineArn, String input, int executions, int clients)
            throws Exception {
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> starters = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                starters.add(pool.submit(() -> {
                    while (next.getAndIncrement() < executions) {
                        start(client, machineArn, input);
                    }
                    return null;
                }));
            }
            for (Future<?> f : starters) {
                f.get();
            }
        }
    }

    private static String start(ApiClient client, String machineArn, String input) throws Exception {
        return client.call(
                        "AWSStepFunctions.StartExecution",
                        Map.of(
                                "stateMachineArn",
                                machineArn,
                                "input",
                                input,
                                "name",
                                UUID.randomUUID().toString()))
                .path("executionArn")
                .asText();
    }

    private static void awaitNoneRunning(ApiClient client, String machineArn) throws Exception {
        while (true) {
            JsonNode running = client.call(
                    "AWSStepFunctions.ListExecutions",
                    Map.of("stateMachineArn", machineArn, "statusFilter", "RUNNING", "maxResults", 1));
            if (running.path("executions").isEmpty()) {
                return;
            }
            Thread.sleep(20); // polling a server that is busy running them: the wait is the measurement
        }
    }

    private static double motoRate(Path definition, Path input, int executions, JsonNode expected)
            throws IOException, InterruptedException {
        Process moto = new ProcessBuilder(
                        "python3",
                        Path.of("bench/moto/sfn_side_by_side.py").toString(),
                        "--executions",
                        Integer.toString(executions),
                        definition.toString(),
                        input.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(moto.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (moto.waitFor() != 0) {
            throw new IllegalStateException("moto's run failed: " + out);
        }
        JsonNode result = JSON.readTree(out);
        if (!"SUCCEEDED".equals(result.path("status").asText())
                || !JSON.readTree(result.path("output").asText()).equals(expected)) {
            throw new IllegalStateException(definition.getFileName() + ": moto disagrees with Patchtide: " + out);
        }
        return result.path("transitionsPerSecond").asDouble();
    }

    private static JsonNode output(Outcome outcome) {
        if (outcome instanceof Outcome.Succeeded succeeded) {
            return succeeded.output();
        }
        throw new IllegalStateException("the bench's definitions must succeed: " + outcome);
    }

    private static int countTransitions(List<HistoryEvent> events) {
        return (int)
                events.stream().filter(e -> e.type().endsWith("StateEntered")).count();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = WorkflowThroughput.class.getResourceAsStream("/workflow-bench/" + name)) {
            if (in == null) {
                throw new IOException("no bench definition " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static final Environment ENVIRONMENT = new Environment() {
        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public String newTaskToken() {
            return UUID.randomUUID().toString();
        }

        @Override
        public String newUuid() {
            return UUID.randomUUID().toString();
        }

        @Override
        public double random() {
            return ThreadLocalRandom.current().nextDouble();
        }
    };

    private static int intOption(String[] args, String name, int fallback) {
        return stringOption(args, name).map(Integer::parseInt).orElse(fallback);
    }

    private static Optional<String> stringOption(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Optional.of(args[i + 1]);
            }
        }
        return Optional.empty();
    }
}
