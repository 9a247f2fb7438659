package dev.patchtide.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandRunnerTest {
    private final AtomicInteger ended = new AtomicInteger();

    @TempDir
    Path state;

    @TempDir
    Path work;

    private FakeCommandServer server;
    private final List<CommandRunner> runners = new ArrayList<>();
    private final Map<CommandRunner, String> keys = new HashMap<>();

    @BeforeEach
    void startServer() throws IOException {
        server = new FakeCommandServer();
    }

    @AfterEach
    void stopAll() {
        runners.forEach(CommandRunner::close);
        server.close();
    }

    @Test
    void runsAShellCommandAndReportsOutputExitCodeAndTimings() throws Exception {
        ObjectNode first = server.shell("first", "echo hello from $AWS_SSM_INSTANCE_ID", "pwd");
        ((ObjectNode) first.get("Inputs")).put("WorkingDirectory", work.toString());
        server.send(server.invocation("c-shell", 600, first, server.shell("second", "echo to-stderr >&2", "exit 3")));
        start();

        JsonNode result = awaitFinal("c-shell");

        // No InProgress report: the server marked the invocation InProgress when it handed it out.
        assertThat(server.updatesFor("c-shell"))
                .extracting(u -> u.path("Status").asText())
                .containsExactly("Failed");
        assertThat(result.path("Status").asText()).isEqualTo("Failed");
        assertThat(result.path("StatusDetails").asText()).isEqualTo("Failed");
        assertThat(result.path("ResponseCode").asInt()).isEqualTo(3);
        assertThat(result.path("StandardOutputContent").asText())
                .isEqualTo("hello from " + FakeCommandServer.INSTANCE + "\n" + work + "\n");
        assertThat(result.path("StandardErrorContent").asText()).isEqualTo("to-stderr\n");
        JsonNode plugins = result.path("Plugins");
        assertThat(plugins).hasSize(2);
        assertThat(plugins.get(0).path("Name").asText()).isEqualTo("first");
        assertThat(plugins.get(0).path("Status").asText()).isEqualTo("Success");
        assertThat(plugins.get(0).path("ResponseCode").asInt()).isZero();
        assertThat(plugins.get(1).path("Status").asText()).isEqualTo("Failed");
        assertThat(plugins.get(1).path("ResponseCode").asInt()).isEqualTo(3);
        assertThat(plugins.get(1).path("StandardErrorContent").asText()).isEqualTo("to-stderr\n");
        for (JsonNode plugin : plugins) {
            assertThat(plugin.path("ResponseFinishDateTime").asDouble())
                    .isGreaterThanOrEqualTo(plugin.path("ResponseStartDateTime").asDouble());
        }
        assertThat(result.path("ExecutionEndDateTime").asDouble())
                .isGreaterThanOrEqualTo(result.path("ExecutionStartDateTime").asDouble());
    }

    @Test
    void stopsAtTheFirstStepThatFails() throws Exception {
        Path marker = work.resolve("second-ran");
        server.send(server.invocation(
                "c-stop", 600, server.shell("fails", "false"), server.shell("never", "touch " + marker)));
        server.send(server.invocation("c-ok", 600, server.shell("ok", "echo ok")));
        start();

        JsonNode failed = awaitFinal("c-stop");
        JsonNode ok = awaitFinal("c-ok");

        assertThat(failed.path("Plugins")).hasSize(1);
        assertThat(failed.path("ResponseCode").asInt()).isEqualTo(1);
        assertThat(marker).doesNotExist();
        assertThat(ok.path("Status").asText()).isEqualTo("Success");
        assertThat(ok.path("StatusDetails").asText()).isEqualTo("Success");
        assertThat(ok.path("StandardOutputContent").asText()).isEqualTo("ok\n");
    }

    @Test
    void theExecutionTimeoutKillsTheWholeProcessTree() throws Exception {
        server.send(server.invocation("c-timeout", 1, server.shell("slow", pidsAndSleep())));
        start();

        JsonNode result = awaitFinal("c-timeout");

        assertThat(result.path("Status").asText()).isEqualTo("TimedOut");
        assertThat(result.path("StatusDetails").asText()).isEqualTo("Execution Timed Out");
        assertThat(result.path("Plugins").get(0).path("Status").asText()).isEqualTo("TimedOut");
        assertThat(result.path("StandardErrorContent").asText()).contains("timed out");
        awaitDead("shell.pid");
        awaitDead("child.pid");
        awaitDead("orphan.pid");
    }

    @Test
    void aStepTimeoutShortensTheCommandsDeadline() throws Exception {
        ObjectNode slow = server.shell("slow", pidsAndSleep());
        ((ObjectNode) slow.get("Inputs")).put("TimeoutSeconds", 1);
        server.send(server.invocation("c-step-timeout", 3600, slow));
        start();

        assertThat(awaitFinal("c-step-timeout").path("Status").asText()).isEqualTo("TimedOut");
        awaitDead("child.pid");
    }

    @Test
    void cancellingKillsTheRunningStep() throws Exception {
        server.send(server.invocation("c-cancel", 600, server.shell("slow", pidsAndSleep())));
        start();
        awaitFile("child.pid");

        server.cancel("c-cancel");
        JsonNode result = awaitFinal("c-cancel");

        assertThat(result.path("Status").asText()).isEqualTo("Cancelled");
        assertThat(result.path("StatusDetails").asText()).isEqualTo("Cancelled");
        assertThat(result.path("StandardErrorContent").asText()).contains("cancelled");
        awaitDead("shell.pid");
        awaitDead("child.pid");
    }

    @Test
    void aCancellationOfAnInvocationTheAgentNeverRecordedIsReportedCancelled() throws Exception {
        start();
        server.cancel("c-unknown");

        JsonNode result = awaitFinal("c-unknown");

        assertThat(result.path("Status").asText()).isEqualTo("Cancelled");
        assertThat(result.path("Plugins")).isEmpty();
    }

    @Test
    void anInvocationRunningWhenTheAgentStoppedIsReportedFailedAndNeverStartedAgain() throws Exception {
        Path runs = work.resolve("runs.txt");
        ObjectNode invocation = server.invocation(
                "c-crash", 600, server.shell("count", "echo run >> " + runs, "sleep 300"), server.shell("b", "true"));
        server.send(invocation);
        CommandRunner first = start();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(runs));

        stop(first);
        assertThat(server.finalUpdate("c-crash")).isEmpty();
        start();
        JsonNode result = awaitFinal("c-crash");

        assertThat(result.path("Status").asText()).isEqualTo("Failed");
        assertThat(result.path("StatusDetails").asText()).isEqualTo("Failed");
        assertThat(result.path("StandardOutputContent").asText()).contains("the agent stopped while this command ran");
        assertThat(result.path("Plugins")).hasSize(1);
        assertThat(result.path("Plugins").get(0).path("Status").asText()).isEqualTo("Failed");
        // handed out again (a server bug): the journal still knows it, so it does not run a second time
        server.send(invocation);
        server.send(server.invocation("c-after", 600, server.shell("after", "echo after")));
        awaitFinal("c-after");
        assertThat(Files.readAllLines(runs)).containsExactly("run");
    }

    @Test
    void anInvocationRecordedButNotYetStartedWhenTheAgentDiedIsReportedFailedToo() throws Exception {
        Journal journal = new Journal(state.resolve("invocations"), 10, Duration.ofDays(1));
        Path ran = work.resolve("ran");
        JsonNode invocation = server.invocation("c-died", 600, server.shell("first", "touch " + ran));
        journal.create(JournalEntry.running(JournalJson.invocation(invocation), Instant.now()));

        start();
        JsonNode result = awaitFinal("c-died");

        assertThat(result.path("Status").asText()).isEqualTo("Failed");
        assertThat(result.path("Plugins").get(0).path("Name").asText()).isEqualTo("first");
        assertThat(result.path("Plugins").get(0).path("Status").asText()).isEqualTo("Failed");
        assertThat(result.path("StandardOutputContent").asText()).contains("the agent stopped while this command ran");
        assertThat(ran).doesNotExist();
    }

    @Test
    void anEntryAnOlderAgentWroteStillSendsItsInProgressBeforeTheResult() throws Exception {
        Journal journal = new Journal(state.resolve("invocations"), 10, Duration.ofDays(1));
        JsonNode invocation = server.invocation("c-older", 600, server.shell("first", "echo never"));
        JournalEntry running = JournalEntry.running(JournalJson.invocation(invocation), Instant.now());
        // As an agent from before the server's hand-out meant InProgress wrote it: InProgress still owed.
        journal.create(new JournalEntry(
                running.invocation(),
                running.state(),
                running.started(),
                running.steps(),
                running.rebootStep(),
                running.reboots(),
                running.outcome(),
                false,
                false));

        start();
        awaitFinal("c-older");

        assertThat(server.updatesFor("c-older"))
                .extracting(u -> u.path("Status").asText())
                .containsExactly("InProgress", "Failed");
    }

    @Test
    void aStepThatAskedForARebootResumesAfterTheRestartAndThePlanCompletes() throws Exception {
        RebootingPlugin plugin = new RebootingPlugin();
        AtomicInteger reboots = new AtomicInteger();
        RebootAction reboot = reboots::incrementAndGet;
        server.send(server.invocation(
                "c-reboot",
                600,
                server.shell("before", "echo before >> " + work.resolve("before.txt")),
                server.step("patch", RebootingPlugin.ACTION),
                server.shell("after", "echo after")));
        CommandRunner first = start(List.of(plugin), reboot, fast());
        await().atMost(Duration.ofSeconds(30)).until(() -> reboots.get() == 1);

        stop(first); // the host went down; a new agent starts on the same journal
        start(List.of(plugin), reboot, fast());
        JsonNode result = awaitFinal("c-reboot");

        assertThat(result.path("Status").asText()).isEqualTo("Success");
        JsonNode plugins = result.path("Plugins");
        assertThat(plugins).hasSize(3);
        assertThat(plugins.get(1).path("Status").asText()).isEqualTo("Success");
        assertThat(plugins.get(1).path("StandardOutputContent").asText()).isEqualTo("installing\nrescanned\n");
        assertThat(plugins.get(2).path("StandardOutputContent").asText()).isEqualTo("after\n");
        assertThat(plugin.runs.get()).isEqualTo(1);
        assertThat(plugin.resumes.get()).isEqualTo(1);
        assertThat(reboots.get()).isEqualTo(1);
        assertThat(Files.readAllLines(work.resolve("before.txt"))).containsExactly("before");
    }

    @Test
    void aStepThatKeepsAskingForRebootsFailsAfterTheThird() throws Exception {
        AtomicInteger reboots = new AtomicInteger();
        RebootAction reboot = reboots::incrementAndGet;
        Plugin always = new RebootingPlugin() {
            @Override
            public StepResult resumeAfterReboot(StepContext context) {
                return new StepResult("Success", 0, true);
            }
        };
        server.send(server.invocation("c-loop", 600, server.step("patch", RebootingPlugin.ACTION)));
        CommandRunner runner = start(List.of(always), reboot, fast());
        for (int i = 1; i <= Execution.MAX_REBOOTS; i++) {
            int expected = i;
            await().atMost(Duration.ofSeconds(30)).until(() -> reboots.get() == expected);
            stop(runner);
            runner = start(List.of(always), reboot, fast());
        }

        JsonNode result = awaitFinal("c-loop");

        assertThat(result.path("Status").asText()).isEqualTo("Failed");
        assertThat(result.path("StandardErrorContent").asText()).contains("asked for a reboot 4 times");
        assertThat(reboots.get()).isEqualTo(Execution.MAX_REBOOTS);
    }

    @Test
    void resultsAreSentAgainUntilTheServerTakesThem() throws Exception {
        server.refuseUpdates = true;
        server.send(server.invocation("c-retry", 600, server.shell("s", "echo done")));
        start();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.refused.get() >= 3);

        server.refuseUpdates = false;
        JsonNode result = awaitFinal("c-retry");

        assertThat(server.updatesFor("c-retry"))
                .extracting(u -> u.path("Status").asText())
                .containsExactly("Success");
        assertThat(result.path("Status").asText()).isEqualTo("Success");
        assertThat(result.path("StandardOutputContent").asText()).isEqualTo("done\n");
    }

    @Test
    void unsentResultsAreSentByTheNextAgentAfterARestart() throws Exception {
        server.refuseUpdates = true;
        Path runs = work.resolve("runs.txt");
        server.send(server.invocation("c-later", 600, server.shell("s", "echo run >> " + runs, "echo done")));
        CommandRunner first = start();
        Path entry = state.resolve("invocations/c-later/entry.json");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(entry) && Files.readString(entry).contains("FINISHED"));

        stop(first);
        server.refuseUpdates = false;
        start();
        JsonNode result = awaitFinal("c-later");

        assertThat(result.path("Status").asText()).isEqualTo("Success");
        assertThat(result.path("StandardOutputContent").asText()).isEqualTo("done\n");
        assertThat(Files.readAllLines(runs)).containsExactly("run");
    }

    @Test
    void thePollBacksOffWhileTheServerIsAwayAndReceivesOnceItIsBack() throws Exception {
        server.away = true;
        start();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.awayAnswers.get() >= 3);

        server.away = false;
        server.send(server.invocation("c-back", 600, server.shell("s", "echo back")));

        assertThat(awaitFinal("c-back").path("Status").asText()).isEqualTo("Success");
    }

    @Test
    void theJournalIsPrivateAndKeepsABoundedNumberOfSettledInvocations() throws Exception {
        CommandRunner.Settings keepTwo =
                new CommandRunner.Settings(1, Duration.ofMillis(300), 8192, 2, Duration.ofDays(1));
        start(List.of(), () -> {}, keepTwo);
        for (String id : List.of("c-1", "c-2", "c-3")) {
            server.send(server.invocation(id, 600, server.shell("s", "echo " + id)));
            awaitFinal(id);
        }

        Path journal = state.resolve("invocations");
        await().atMost(Duration.ofSeconds(30)).until(() -> entries(journal).size() == 2);
        assertThat(entries(journal)).containsExactlyInAnyOrder("c-2", "c-3");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal)))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.resolve("c-3/entry.json"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journal.resolve("c-3/0.stdout"))))
                .isEqualTo("rw-------");
    }

    @Test
    void aStepWhosePluginTheAgentLacksFailsSayingSo() throws Exception {
        server.send(server.invocation("c-missing", 600, server.step("ps", "aws:runPowerShellScript")));
        start();

        JsonNode result = awaitFinal("c-missing");

        assertThat(result.path("Status").asText()).isEqualTo("Failed");
        assertThat(result.path("Plugins").get(0).path("StandardErrorContent").asText())
                .contains("no plugin on this agent runs action 'aws:runPowerShellScript'");
    }

    @Test
    void runDocumentRunsTheNestedPlanInItsStep() throws Exception {
        ObjectNode nested = server.step("nested", "aws:runDocument");
        ((ObjectNode) nested.get("Inputs"))
                .put("DocumentName", "Inner")
                .set("Plan", server.plan(server.shell("a", "echo inner-1"), server.shell("b", "echo inner-2")));
        server.send(server.invocation("c-nested", 600, nested));
        start();

        JsonNode result = awaitFinal("c-nested");

        assertThat(result.path("Status").asText()).isEqualTo("Success");
        assertThat(result.path("Plugins").get(0).path("StandardOutputContent").asText())
                .isEqualTo("inner-1\ninner-2\n");
    }

    @Test
    void eachStreamIsCappedWithANoteSayingHowMuchWasLeftOut() throws Exception {
        start(
                List.of(),
                () -> {},
                new CommandRunner.Settings(1, Duration.ofMillis(300), 1024, 100, Duration.ofDays(1)));
        String fiveThousand = "head -c 5000 /dev/zero | tr '\\0' x";
        server.send(server.invocation("c-big", 600, server.shell("a", fiveThousand), server.shell("b", fiveThousand)));

        JsonNode result = awaitFinal("c-big");

        assertThat(result.path("Plugins").get(0).path("StandardOutputContent").asText())
                .startsWith("x".repeat(1024) + "\n[patchtide: output cut at 1024 bytes; 3976 more bytes");
        assertThat(result.path("Plugins").get(1).path("StandardOutputContent").asText())
                .startsWith("x".repeat(1024) + "\n[patchtide: output cut at 1024 bytes");
        // the invocation's own output, both steps' one after the other, is held to the same cap
        assertThat(result.path("StandardOutputContent").asText())
                .startsWith("x".repeat(1024) + "\n[patchtide: the steps' output together cut at 1024 characters");
    }

    @Test
    void theDaemonIsToldWhenTheLastRunningInvocationHasEnded() throws Exception {
        start();
        server.send(server.invocation("c-one", 600, server.shell("s", "echo one")));
        awaitFinal("c-one");

        // so it can give its heap back (HeapTrim): once per invocation that leaves none running
        await().atMost(Duration.ofSeconds(30)).until(() -> ended.get() == 1);
    }

    // ---- helpers ----

    private String[] pidsAndSleep() {
        return new String[] {
            "sleep 300 &",
            "echo $! > " + work.resolve("child.pid"),
            // a grandchild whose parent is gone at once: no longer a descendant, still in the session
            "(sleep 300 & echo $! > " + work.resolve("orphan.pid") + ")",
            "echo $$ > " + work.resolve("shell.pid"),
            "wait"
        };
    }

    private CommandRunner start() {
        return start(List.of(), () -> {}, fast());
    }

    private CommandRunner start(List<Plugin> plugins, RebootAction reboot, CommandRunner.Settings settings) {
        String key = "AKIDRUNNER" + runners.size();
        CommandRunner runner = new CommandRunner(
                server.client(key),
                FakeCommandServer.INSTANCE,
                state,
                plugins,
                reboot,
                AgentRestart.none(),
                operation -> {
                    throw new IOException("no scans here");
                },
                work,
                Clock.systemUTC(),
                settings,
                ended::incrementAndGet);
        runners.add(runner);
        keys.put(runner, key);
        runner.start();
        return runner;
    }

    /** The agent stops (or the host goes down): its runner is closed and its held poll gone. */
    private void stop(CommandRunner runner) {
        runner.close();
        server.retire(keys.get(runner));
    }

    private static CommandRunner.Settings fast() {
        return new CommandRunner.Settings(
                1, Duration.ofMillis(300), CommandRunner.Settings.OUTPUT_CAP, 100, Duration.ofDays(1));
    }

    private JsonNode awaitFinal(String commandId) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> server.finalUpdate(commandId), Optional::isPresent)
                .orElseThrow();
    }

    private void awaitFile(String name) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(work.resolve(name))
                        && !Files.readString(work.resolve(name)).isBlank());
    }

    private void awaitDead(String pidFile) throws IOException {
        long pid = Long.parseLong(Files.readString(work.resolve(pidFile)).strip());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
    }

    private static List<String> entries(Path journal) throws IOException {
        try (Stream<Path> list = Files.list(journal)) {
            return list.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** A patch install that needs a reboot: asks for one, and on resume finishes (rescans). */
    static class RebootingPlugin implements Plugin {
        static final String ACTION = "test:installAndReboot";
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger resumes = new AtomicInteger();

        @Override
        public String action() {
            return ACTION;
        }

        @Override
        public StepResult run(StepContext context) {
            runs.incrementAndGet();
            write(context, "installing\n");
            return new StepResult("Success", 0, true);
        }

        @Override
        public StepResult resumeAfterReboot(StepContext context) {
            resumes.incrementAndGet();
            write(context, "rescanned\n");
            return StepResult.success();
        }

        private static void write(StepContext context, String text) {
            try {
                context.stdout().write(text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
