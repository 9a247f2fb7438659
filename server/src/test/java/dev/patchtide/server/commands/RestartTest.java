package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.Settled;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server closed in the middle of a rate-controlled run, and a new one started on the same database: the run goes
 * on, MaxConcurrency still holds, and no instance is ever handed the invocation twice.
 */
class RestartTest {
    private static final int AGENTS = 16;
    private static final int CONCURRENCY = 3;

    private final CommandNodes nodes = new CommandNodes();
    private final AtomicReference<CommandNodes.Node> current = new AtomicReference<>(nodes.start());
    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunning = new AtomicInteger();
    private final AtomicInteger succeeded = new AtomicInteger();
    /** Opened once the new server is up and the old one stopped: runs handed out after the 5th success wait for it. */
    private final CountDownLatch restarted = new CountDownLatch(1);

    private volatile boolean stopping;

    @AfterEach
    void stop() {
        stopping = true;
        nodes.close();
    }

    @Test
    void runContinuesOnANewServerAndNothingIsHandedOutTwice() throws Exception {
        List<FakeAgent> agents = nodes.agents(current.get(), AGENTS);
        String run = current.get()
                .ssm()
                .sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .targets(SendCommandTest.target("InstanceIds", CommandLifecycleTest.ids(agents)))
                        .maxConcurrency(String.valueOf(CONCURRENCY))
                        .timeoutSeconds(600)
                        .parameters(Map.of("commands", List.of("true"), "executionTimeout", List.of("60"))))
                .command()
                .commandId();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (FakeAgent agent : agents) {
                threads.submit(() -> agentLoop(agent, run));
            }
            try {
                awaitTheRun(run);
            } finally {
                // The agents' loops end only when told: a failed wait must fail the test, not hang its executor.
                stopping = true;
                restarted.countDown();
            }
        }
        assertThat(received.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(mostRunning.get()).isLessThanOrEqualTo(CONCURRENCY);
        Map<String, String> states = nodes.states(run);
        assertThat(states.values().stream().filter("SUCCESS"::equals)).hasSize(received.size());
        assertThat(states.values().stream().filter(s -> !s.equals("SUCCESS"))).allMatch("DELIVERY_TIMED_OUT"::equals);
        assertThat(received.size()).isGreaterThan(5);
    }

    private void awaitTheRun(String run) {
        await("five runs reported").atMost(Duration.ofSeconds(60)).until(() -> succeeded.get() >= 5);

        // The runs handed out meanwhile are held until the old server is gone: their reports reach the new one.
        CommandNodes.Node old = current.get();
        current.set(nodes.start());
        nodes.stop(old);
        restarted.countDown();

        // Every invocation was handed out once (an answer lost with the old server leaves it DELIVERED, and the
        // agent never sees it: at most once), then the backstop ends the lost ones.
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(nodes.states(run).values())
                        .as("every invocation handed out; received %s", received.keySet())
                        .doesNotContain("QUEUED", "RELEASED"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<String, String> states = nodes.states(run);
            assertThat(states.entrySet().stream()
                            .filter(e -> e.getValue().equals("DELIVERED"))
                            .map(Map.Entry::getKey))
                    .as("still DELIVERED (lost with the old server) in %s; received %s", states, received)
                    .doesNotContainAnyElementsOf(received.keySet())
                    .hasSize(AGENTS - received.size());
        });
        nodes.clock.advance(Duration.ofSeconds(600 + 60 + 120));
        Settled.wholeRound(
                "the command dispatcher",
                () -> current.get().commands().dispatcher().completedRounds(),
                () -> current.get().commands().dispatcher().wake());
        await().atMost(Duration.ofSeconds(30)).until(() -> isFinal(run));
    }

    private boolean isFinal(String commandId) {
        String status = current.get()
                .ssm()
                .listCommands(b -> b.commandId(commandId))
                .commands()
                .getFirst()
                .statusAsString();
        return !status.equals("InProgress") && !status.equals("Pending");
    }

    /**
     * Polls as an agent does, through whichever server is up, and reports success (retrying a lost answer). A run
     * handed out once five have succeeded is held until the restart is done, so that the restart happens with
     * slots taken and those runs report to the new server.
     */
    private void agentLoop(FakeAgent registered, String run) {
        while (!stopping) {
            CommandNodes.Node node = current.get();
            FakeAgent agent = nodes.on(node, registered);
            try {
                JsonNode answer = CommandNodes.receive(agent, 2);
                for (JsonNode invocation : answer.path("Invocations")) {
                    if (!invocation.path("CommandId").asText().equals(run)) {
                        continue;
                    }
                    received.computeIfAbsent(agent.instanceId(), k -> new AtomicInteger())
                            .incrementAndGet();
                    int now = running.incrementAndGet();
                    mostRunning.accumulateAndGet(now, Math::max);
                    if (succeeded.get() >= 5) {
                        awaitRestart(Duration.ofSeconds(120));
                    }
                    // Counted down before the report: the server sees it running until the report commits.
                    running.decrementAndGet();
                    reportUntilTaken(registered, run);
                    succeeded.incrementAndGet();
                }
            } catch (IOException | ApiCallException e) {
                backOff(node);
            }
        }
    }

    private void reportUntilTaken(FakeAgent registered, String run) {
        while (!stopping) {
            CommandNodes.Node node = current.get();
            try {
                CommandNodes.report(nodes.on(node, registered), run, "Success", 0, "", "");
                return;
            } catch (IOException | ApiCallException e) {
                backOff(node);
            }
        }
    }

    /**
     * After a failed call: at once when the server it went to has been replaced meanwhile, else a short wait that
     * the restart ends early (the agent's own back-off).
     */
    private void backOff(CommandNodes.Node failed) {
        if (current.get() == failed) {
            awaitRestart(Duration.ofMillis(100));
        }
    }

    private void awaitRestart(Duration atMost) {
        try {
            restarted.await(atMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
