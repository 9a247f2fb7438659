package dev.patchtide.bench.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.bench.ProgressWait;
import dev.patchtide.bench.fleet.ChildServer;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.db.DatabaseSettings;
import dev.patchtide.server.db.EmbeddedPostgres;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * Issue 11, must show 3: 1,000 STANDARD executions in flight (Waits of seconds and until a timestamp, a task retried
 * with back-off, {@code .waitForTaskToken} tasks, activities), the server killed with SIGKILL and started again on
 * the same database: all 1,000 succeed, every side effect happened exactly once per execution, and no history has
 * an event stored twice. The server runs in a child JVM; PostgreSQL runs in this one, so it outlives the kill.
 */
class WorkflowCrashTest {
    private static final int PER_MACHINE = 250;
    private static final int EXECUTIONS = PER_MACHINE * CrashMachines.values().length;
    private static final List<String> ARCHIVES = List.of("crash-effects", "crash-flaky");
    private static final String ROLE = "arn:aws:iam::123456789012:role/crash";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private EmbeddedPostgres postgres;
    private DatabaseSettings database;
    private ChildServer server;
    private SfnClient sfn;
    private EventBridgeClient events;
    private CrashActivityWorkers workers;

    @AfterEach
    void stop() {
        if (workers != null) {
            workers.close();
        }
        if (sfn != null) {
            sfn.close();
            events.close();
        }
        if (server != null) {
            server.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void thousandExecutionsSurviveAKillWithEveryEffectOnce() throws Exception {
        // As root PostgreSQL runs as 'nobody', which must be able to pass through the folder.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        postgres = EmbeddedPostgres.start(dir.resolve("postgres"));
        postgres.createDatabase("patchtide");
        database = new DatabaseSettings(postgres.jdbcUrl("patchtide"), postgres.user(), postgres.password(), 16);
        int port = ChildServer.freePort();
        startServer(port, true);
        ArchivedEffects archived =
                new ArchivedEffects(postgres.jdbcUrl("patchtide"), postgres.user(), postgres.password());

        for (String bus : List.of(CrashMachines.BUS, CrashMachines.FLAKY_BUS)) {
            String busArn = events.createEventBus(b -> b.name(bus)).eventBusArn();
            String archive = bus.equals(CrashMachines.BUS) ? "crash-effects" : "crash-flaky";
            events.createArchive(b -> b.archiveName(archive).eventSourceArn(busArn));
        }
        String activity = sfn.createActivity(b -> b.name("crash-work")).activityArn();
        Map<CrashMachines, String> machines = new EnumMap<>(CrashMachines.class);
        for (CrashMachines m : CrashMachines.values()) {
            machines.put(
                    m,
                    sfn.createStateMachine(
                                    b -> b.name(m.machineName()).roleArn(ROLE).definition(m.definition(activity)))
                            .stateMachineArn());
        }
        workers = new CrashActivityWorkers(sfn, activity);
        workers.start(4);

        // Every Wait-until lies past the kill and the restart.
        String input = "{\"until\": \"" + Instant.now().plusSeconds(30).truncatedTo(ChronoUnit.SECONDS) + "\"}";
        long t0 = System.nanoTime();
        startAll(machines, input);
        phase("started " + EXECUTIONS, t0);

        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Map<String, Map<String, Integer>> c = ArchivedEffects.counts(archived.read(ARCHIVES));
                    long announced = c.values().stream()
                            .filter(s -> s.containsKey(CrashMachines.ANNOUNCE))
                            .count();
                    long finished = c.entrySet().stream()
                            .filter(e -> e.getValue()
                                    .containsKey(CrashMachines.ofExecution(e.getKey())
                                            .lastStep()))
                            .count();
                    return announced >= 300 && EXECUTIONS - finished >= 300;
                });
        int archivedAtKill = archived.read(ARCHIVES).size();
        phase("killed with " + archivedAtKill + " effects archived", t0);
        server.kill();
        int failuresBefore = workers.failedCalls();
        await().atMost(Duration.ofSeconds(30)).until(() -> workers.failedCalls() > failuresBefore);
        startServer(port, false);
        phase("restarted", t0);

        // The tokens went out in events (some before the kill); they come back only now, from a new server. After
        // the restart every Wait has long expired, so the new server works through the whole backlog of the 1,000
        // executions' remaining tasks, and the token machine's asks come in among them: on a loaded machine that
        // takes minutes, not seconds. So wait while tokens keep arriving, and fail when none has for a minute.
        ProgressWait.until("task tokens archived", () -> tokens(archived).size(), n -> n == PER_MACHINE);
        phase("all " + PER_MACHINE + " tokens out", t0);
        answerTokens(tokens(archived));

        ProgressWait.until("executions with their last step archived", () -> finished(archived), n -> n == EXECUTIONS);
        await().atMost(ProgressWait.STALL).pollInterval(Duration.ofMillis(500)).until(() -> machines.values().stream()
                .allMatch(this::noneRunning));
        phase("none running", t0);

        for (Map.Entry<CrashMachines, String> m : machines.entrySet()) {
            List<ExecutionListItem> succeeded = list(m.getValue(), ExecutionStatus.SUCCEEDED);
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < PER_MACHINE; i++) {
                expected.add(m.getKey().executionName(i));
            }
            assertThat(succeeded.stream().map(ExecutionListItem::name).collect(Collectors.toSet()))
                    .as("SUCCEEDED executions of %s", m.getKey())
                    .isEqualTo(expected);
        }

        Map<String, Map<String, Integer>> counts = ArchivedEffects.counts(archived.read(ARCHIVES));
        assertThat(archivedAtKill).as("effects archived before the kill").isBetween(300, 3 * EXECUTIONS);
        assertThat(counts).hasSize(EXECUTIONS);
        for (Map.Entry<String, Map<String, Integer>> e : counts.entrySet()) {
            Map<String, Integer> once =
                    CrashMachines.ofExecution(e.getKey()).steps().stream().collect(Collectors.toMap(s -> s, s -> 1));
            assertThat(e.getValue())
                    .as("side effects of %s, each exactly once", e.getKey())
                    .isEqualTo(once);
        }
        assertThat(workers.received()).hasSize(PER_MACHINE);
        assertThat(workers.received().entrySet().stream()
                        .filter(e -> e.getValue().get() != 1)
                        .map(Map.Entry::getKey)
                        .toList())
                .as("activity tasks handed out more than once")
                .isEmpty();

        assertHistories(machines);
        phase("histories checked", t0);
    }

    private static int finished(ArchivedEffects archived) throws Exception {
        return (int) ArchivedEffects.counts(archived.read(ARCHIVES)).entrySet().stream()
                .filter(e -> e.getValue()
                        .containsKey(CrashMachines.ofExecution(e.getKey()).lastStep()))
                .count();
    }

    private static void phase(String what, long since) {
        System.out.printf("crash test: %s at %.1f s%n", what, (System.nanoTime() - since) / 1e9);
    }

    private void startServer(int port, boolean firstStart) throws Exception {
        server = ChildServer.start(
                database, port, dir.resolve("secret.key"), dir.resolve("server.log"), List.of("-Xmx512m"), firstStart);
        URI endpoint = server.awaitListening(Duration.ofMinutes(2));
        if (firstStart) {
            String[] key = server.await("admin ", Duration.ofSeconds(30)).split(" ");
            StaticCredentialsProvider credentials =
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(key[0], key[1]));
            Region region = Region.of(ServerConfig.DEFAULT_REGION);
            ClientOverrideConfiguration longPolls = ClientOverrideConfiguration.builder()
                    .apiCallTimeout(Duration.ofSeconds(90))
                    .build();
            sfn = SfnClient.builder()
                    .endpointOverride(endpoint)
                    .region(region)
                    .credentialsProvider(credentials)
                    .overrideConfiguration(longPolls)
                    .build();
            events = EventBridgeClient.builder()
                    .endpointOverride(endpoint)
                    .region(region)
                    .credentialsProvider(credentials)
                    .build();
        }
    }

    /** Starts all executions from 8 threads; every one is RUNNING (or further) when this returns. */
    private void startAll(Map<CrashMachines, String> machines, String input) throws Exception {
        List<Runnable> starts = new ArrayList<>();
        for (int i = 0; i < PER_MACHINE; i++) {
            for (CrashMachines m : CrashMachines.values()) {
                String name = m.executionName(i);
                starts.add(() -> sfn.startExecution(
                        b -> b.stateMachineArn(machines.get(m)).name(name).input(input)));
            }
        }
        runAll(starts);
    }

    private Map<String, String> tokens(ArchivedEffects archived) throws Exception {
        return archived.read(ARCHIVES).stream()
                .filter(e -> e.step().equals("ask"))
                .collect(Collectors.toMap(ArchivedEffects.Effect::execution, ArchivedEffects.Effect::token));
    }

    private void answerTokens(Map<String, String> tokens) throws Exception {
        List<Runnable> answers = new ArrayList<>();
        tokens.forEach((execution, token) -> answers.add(
                () -> sfn.sendTaskSuccess(b -> b.taskToken(token).output("{\"approvedFor\":\"" + execution + "\"}"))));
        runAll(answers);
    }

    private boolean noneRunning(String machineArn) {
        return sfn.listExecutions(b -> b.stateMachineArn(machineArn)
                        .statusFilter(ExecutionStatus.RUNNING)
                        .maxResults(1))
                .executions()
                .isEmpty();
    }

    private List<ExecutionListItem> list(String machineArn, ExecutionStatus status) {
        List<ExecutionListItem> all = new ArrayList<>();
        sfn.listExecutionsPaginator(
                        b -> b.stateMachineArn(machineArn).statusFilter(status).maxResults(1000))
                .executions()
                .forEach(all::add);
        return all;
    }

    /** Each history: ids 1..n with no gap or repeat, and exactly the events of a run with no step taken twice. */
    private void assertHistories(Map<CrashMachines, String> machines) throws Exception {
        List<Runnable> checks = new ArrayList<>();
        for (Map.Entry<CrashMachines, String> m : machines.entrySet()) {
            String prefix = m.getValue().replace(":stateMachine:", ":execution:") + ":";
            for (int i = 0; i < PER_MACHINE; i++) {
                String arn = prefix + m.getKey().executionName(i);
                checks.add(() -> {
                    List<HistoryEvent> history = sfn.getExecutionHistory(
                                    b -> b.executionArn(arn).maxResults(1000))
                            .events();
                    assertThat(history.stream().map(HistoryEvent::id).toList())
                            .as("event ids of %s", arn)
                            .isEqualTo(java.util.stream.LongStream.rangeClosed(1, history.size())
                                    .boxed()
                                    .toList());
                    assertThat(history.stream().map(HistoryEvent::typeAsString).toList())
                            .as("history of %s", arn)
                            .isEqualTo(m.getKey().history());
                });
            }
        }
        runAll(checks);
    }

    private static void runAll(List<Runnable> calls) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (Runnable r : calls) {
                done.add(pool.submit(r));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }
}
