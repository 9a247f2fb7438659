package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An agent waiting in a long poll receives a command sent afterwards, without any heartbeat, also when it waits on
 * another server node than the one the command was sent to (PostgreSQL LISTEN/NOTIFY).
 */
class LongPollTest {
    private final CommandNodes nodes = new CommandNodes();
    private final CommandNodes.Node nodeA = nodes.start();
    private final CommandNodes.Node nodeB = nodes.start();

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void waitingAgentOnAnotherNodeReceivesTheCommandAndItsCancellation() throws Exception {
        // Registered only: this agent never sends a heartbeat.
        FakeAgent agent = nodes.on(nodeB, nodes.agents(nodeA, 1).getFirst());
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<JsonNode> polled = poll(threads, agent);
            await().atMost(Duration.ofSeconds(10)).until(() -> nodeB.commands().waitingAgents() == 1);

            String commandId = nodeA.ssm()
                    .sendCommand(b -> b.documentName("AWS-RunShellScript")
                            .instanceIds(agent.instanceId())
                            .parameters(Map.of("commands", List.of("true"))))
                    .command()
                    .commandId();
            JsonNode received = polled.get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(received.path("Invocations")).hasSize(1);
            assertThat(received.path("Invocations").get(0).path("CommandId").asText())
                    .isEqualTo(commandId);

            CompletableFuture<JsonNode> next = poll(threads, agent);
            await().atMost(Duration.ofSeconds(10)).until(() -> nodeB.commands().waitingAgents() == 1);
            nodeA.ssm().cancelCommand(b -> b.commandId(commandId));
            JsonNode cancelled = next.get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(cancelled.path("Invocations")).isEmpty();
            assertThat(cancelled.path("Cancellations").get(0).asText()).isEqualTo(commandId);
        }
    }

    @Test
    void aNewerPollOfTheSameInstanceTakesOverFromTheOlderOne() throws Exception {
        FakeAgent agent = nodes.agents(nodeA, 1).getFirst();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // The first poll's agent went away (restarted): its request still waits on the server.
            CompletableFuture<JsonNode> abandoned = poll(threads, agent);
            await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.commands().waitingAgents() == 1);
            CompletableFuture<JsonNode> current = poll(threads, agent);

            JsonNode dismissed = abandoned.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(dismissed.path("Invocations")).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.commands().waitingAgents() == 1);
            String commandId = nodeA.ssm()
                    .sendCommand(b -> b.documentName("AWS-RunShellScript")
                            .instanceIds(agent.instanceId())
                            .parameters(Map.of("commands", List.of("true"))))
                    .command()
                    .commandId();
            JsonNode received = current.get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(received.path("Invocations").get(0).path("CommandId").asText())
                    .isEqualTo(commandId);
        }
    }

    @Test
    void pollWithNothingToDoAnswersEmptyWhenTheWaitEnds() throws Exception {
        FakeAgent agent = nodes.agents(nodeA, 1).getFirst();
        JsonNode answer = CommandNodes.receive(agent, 1);
        assertThat(answer.path("Invocations")).isEmpty();
        assertThat(answer.path("Cancellations")).isEmpty();
        assertThat(nodeA.commands().waitingAgents()).isZero();
    }

    private static CompletableFuture<JsonNode> poll(java.util.concurrent.ExecutorService threads, FakeAgent agent) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return CommandNodes.receive(agent, 20);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                threads);
    }
}
