package dev.patchtide.agent.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step that replaces the agent's own package (patchtide:updateAgent): its result is reported before the agent
 * restarts, the restarted agent never runs it again, and an agent stopped in the middle of the install resumes
 * the step at start-up, as after a reboot, and reports it once.
 */
class AgentRestartTest {
    @TempDir
    Path state;

    @TempDir
    Path work;

    private FakeCommandServer server;
    private final List<CommandRunner> runners = new ArrayList<>();
    private final Map<CommandRunner, String> keys = new HashMap<>();
    /** What the server held for the command when the agent restarted: the final status, or "" if none yet. */
    private final List<String> restarts = new CopyOnWriteArrayList<>();

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
    void theResultIsReportedBeforeTheRestartAndTheRestartedAgentNeverRunsTheStepAgain() throws Exception {
        SelfReplacingPlugin plugin = new SelfReplacingPlugin(false);
        server.send(server.invocation("c-upgrade", 600, server.step("upgrade", SelfReplacingPlugin.ACTION)));
        CommandRunner first = start(plugin, "c-upgrade");

        await().atMost(Duration.ofSeconds(30)).until(() -> restarts.size() == 1);
        assertThat(restarts).containsExactly("Success");
        stop(first);

        start(plugin, "c-upgrade");
        server.send(server.invocation("c-after", 600, server.shell("after", "echo after")));
        assertThat(awaitFinal("c-after").path("Status").asText()).isEqualTo("Success");

        assertThat(server.updatesFor("c-upgrade"))
                .extracting(u -> u.path("Status").asText())
                .containsExactly("Success");
        assertThat(awaitFinal("c-upgrade").path("StandardOutputContent").asText())
                .isEqualTo("installed\n");
        assertThat(plugin.runs.get()).isEqualTo(1);
        assertThat(plugin.resumes.get()).isZero();
        assertThat(restarts).hasSize(1);
    }

    @Test
    void anAgentStoppedDuringTheInstallResumesTheStepOnStartAndReportsItOnce() throws Exception {
        SelfReplacingPlugin plugin = new SelfReplacingPlugin(true);
        server.send(server.invocation(
                "c-cut", 600, server.step("upgrade", SelfReplacingPlugin.ACTION), server.shell("then", "echo then")));
        CommandRunner first = start(plugin, "c-cut");
        plugin.installing.await();

        stop(first); // the package's scripts stopped the agent in the middle of the install
        assertThat(server.finalUpdate("c-cut")).isEmpty();
        start(plugin, "c-cut");
        JsonNode result = awaitFinal("c-cut");

        assertThat(result.path("Status").asText()).isEqualTo("Success");
        JsonNode plugins = result.path("Plugins");
        assertThat(plugins.get(0).path("Status").asText()).isEqualTo("Success");
        assertThat(plugins.get(0).path("StandardOutputContent").asText())
                .isEqualTo("installing\nresumed at the new version\n");
        assertThat(plugins.get(1).path("StandardOutputContent").asText()).isEqualTo("then\n");
        assertThat(server.updatesFor("c-cut"))
                .extracting(u -> u.path("Status").asText())
                .containsExactly("Success");
        assertThat(plugin.runs.get()).isEqualTo(1);
        assertThat(plugin.resumes.get()).isEqualTo(1);
        assertThat(restarts)
                .as("the resumed agent runs the new version already")
                .isEmpty();
    }

    private CommandRunner start(Plugin plugin, String watched) {
        String key = "AKIDRESTART" + runners.size();
        AgentRestart restart = () -> restarts.add(
                server.finalUpdate(watched).map(u -> u.path("Status").asText()).orElse(""));
        CommandRunner runner = new CommandRunner(
                server.client(key),
                FakeCommandServer.INSTANCE,
                state,
                List.of(plugin),
                () -> {},
                restart,
                operation -> {
                    throw new IOException("no scans here");
                },
                work,
                Clock.systemUTC(),
                new CommandRunner.Settings(
                        1, Duration.ofMillis(300), CommandRunner.Settings.OUTPUT_CAP, 100, Duration.ofDays(1)),
                () -> {});
        runners.add(runner);
        keys.put(runner, key);
        runner.start();
        return runner;
    }

    private void stop(CommandRunner runner) {
        runner.close();
        server.retire(keys.get(runner));
    }

    private JsonNode awaitFinal(String commandId) {
        return await().atMost(Duration.ofSeconds(30))
                .until(() -> server.finalUpdate(commandId), Optional::isPresent)
                .orElseThrow();
    }

    /** Guards against the agent's restart, then installs; or, when {@code cutShort}, is stopped while it does. */
    static final class SelfReplacingPlugin implements Plugin {
        static final String ACTION = "test:replaceAgent";
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger resumes = new AtomicInteger();
        final CountDownLatch installing = new CountDownLatch(1);
        private final boolean cutShort;

        SelfReplacingPlugin(boolean cutShort) {
            this.cutShort = cutShort;
        }

        @Override
        public String action() {
            return ACTION;
        }

        @Override
        public StepResult run(StepContext context) throws InterruptedException {
            runs.incrementAndGet();
            try {
                assertThat(context.restartGuard().resumeIfAgentRestarts()).isTrue();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (cutShort) {
                write(context, "installing\n");
                installing.countDown();
                new CountDownLatch(1).await(); // until the agent is stopped
            }
            write(context, "installed\n");
            return StepResult.successThenRestart();
        }

        @Override
        public StepResult resumeAfterReboot(StepContext context) {
            resumes.incrementAndGet();
            write(context, "resumed at the new version\n");
            return StepResult.success();
        }

        private static void write(StepContext context, String text) {
            try {
                context.stdout().write(text.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
