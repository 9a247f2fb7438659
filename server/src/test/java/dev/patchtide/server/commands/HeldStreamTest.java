package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.Agent;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.commands.CommandRunner;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;

/**
 * The held poll ({@code "Stream": true}) against a real server: answers arrive as lines of one request, one after
 * the other on the same connection; a cancellation reaches a held stream; the stream ends at its wait with an empty
 * line. And the real agent's command channel: it streams, reopens its stream when one ends, and falls back to plain
 * polls on a server that refuses the member.
 */
class HeldStreamTest {
    private final CommandNodes nodes = new CommandNodes();
    private final CommandNodes.Node node = nodes.start();
    private Agent agent;

    @TempDir
    Path state;

    @TempDir
    Path work;

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        nodes.close();
    }

    @Test
    void twoCommandsArriveOneAfterTheOtherOnTheSameStream() throws Exception {
        twoCommandsOnOneStream(nodes.agents(node, 1).getFirst());
    }

    /**
     * The same over the daemon's own transport (HttpURLConnection), whose chunked reader must hand a line on before
     * the chunk's closing line end, which Jetty sends only in front of the next chunk.
     */
    @Test
    void twoCommandsArriveOneAfterTheOtherOverTheDaemonsTransport() throws Exception {
        FakeAgent registered = nodes.agents(node, 1).getFirst();
        ApiClient daemons = new ApiClient(
                node.endpoint(),
                TestServer.REGION,
                Optional.of(new SigV4Credentials(registered.accessKeyId(), registered.secretAccessKey())),
                InstantSource.system());
        twoCommandsOnOneStream(new FakeAgent(
                registered.instanceId(), registered.accessKeyId(), registered.secretAccessKey(), daemons));
    }

    private void twoCommandsOnOneStream(FakeAgent host) throws Exception {
        BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
        CompletableFuture<Void> stream = stream(host, 20, lines);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.commands().waitingAgents() == 1);

        String first = send(host);
        JsonNode one = lines.poll(15, TimeUnit.SECONDS);
        assertThat(one).isNotNull();
        assertThat(one.path("Invocations")).hasSize(1);
        assertThat(one.path("Invocations").get(0).path("CommandId").asText()).isEqualTo(first);
        assertThat(one.path("Invocations").get(0).path("InstanceId").asText()).isEqualTo(host.instanceId());

        // The same request waits again for the instance: a second command reaches it without a new poll.
        await().atMost(Duration.ofSeconds(10)).until(() -> node.commands().waitingAgents() == 1);
        String second = send(host);
        JsonNode two = lines.poll(15, TimeUnit.SECONDS);
        assertThat(two).isNotNull();
        assertThat(two.path("Invocations").get(0).path("CommandId").asText()).isEqualTo(second);
        assertThat(stream).as("the one request still open").isNotDone();
        assertThat(nodes.states(first)).containsValue("DELIVERED");
        assertThat(nodes.states(second)).containsValue("DELIVERED");
    }

    @Test
    void aCancellationReachesAHeldStream() throws Exception {
        FakeAgent host = nodes.agents(node, 1).getFirst();
        BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
        CompletableFuture<Void> stream = stream(host, 20, lines);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.commands().waitingAgents() == 1);
        String commandId = send(host);
        JsonNode received = lines.poll(15, TimeUnit.SECONDS);
        assertThat(received.path("Invocations").get(0).path("CommandId").asText())
                .isEqualTo(commandId);

        await().atMost(Duration.ofSeconds(10)).until(() -> node.commands().waitingAgents() == 1);
        node.ssm().cancelCommand(b -> b.commandId(commandId));
        JsonNode cancelled = lines.poll(15, TimeUnit.SECONDS);
        assertThat(cancelled).isNotNull();
        assertThat(cancelled.path("Invocations")).isEmpty();
        assertThat(cancelled.path("Cancellations").get(0).asText()).isEqualTo(commandId);
        assertThat(stream).isNotDone();
    }

    @Test
    void theStreamEndsAtItsWaitWithAnEmptyLine() throws Exception {
        FakeAgent host = nodes.agents(node, 1).getFirst();
        BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
        stream(host, 1, lines).get(15, TimeUnit.SECONDS);
        assertThat(lines).hasSize(1);
        JsonNode last = lines.poll();
        assertThat(last.path("Invocations")).isEmpty();
        assertThat(last.path("Cancellations")).isEmpty();
        assertThat(node.commands().waitingAgents()).isZero();
    }

    @Test
    void theAgentReopensItsStreamWhenItEndsAndRunsWhatArrivesOnTheNewOne() throws Exception {
        String instanceId = startAgent(1);
        // Streams of one second: by now the agent's first ones have ended and it holds a later one.
        awaitStreamsBegun(instanceId, 3);
        String commandId = send(instanceId);
        awaitSuccess(commandId, instanceId);
        String again = send(instanceId);
        awaitSuccess(again, instanceId);
    }

    @Test
    void aServerThatRefusesStreamsStillDeliversToTheAgentOverPlainPolls() throws Exception {
        node.commands().refuseStreams(true);
        String instanceId = startAgent(20);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.commands().waitingAgents() == 1);
        String commandId = send(instanceId);
        awaitSuccess(commandId, instanceId);
    }

    /** Waits until the node has seen {@code count} more polls or streams of the instance begin (as heartbeats). */
    private void awaitStreamsBegun(String instanceId, int count) {
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        node.commands().countPollsAsHeartbeats(id -> {
            if (id.equals(instanceId)) {
                seen.incrementAndGet();
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> seen.get() >= count);
    }

    private String startAgent(int waitSeconds) throws Exception {
        var activation = node.ssm().createActivation(b -> b.iamRole("fleet").registrationLimit(1));
        FakeAgent registered =
                FakeAgent.register(node.endpoint(), activation.activationId(), activation.activationCode());
        agent = new Agent(
                        new Registration(
                                node.endpoint().toString(),
                                TestServer.REGION,
                                registered.instanceId(),
                                registered.accessKeyId(),
                                registered.secretAccessKey(),
                                300,
                                Instant.now()),
                        state,
                        Duration.ofMinutes(5),
                        Duration.ZERO,
                        work,
                        () -> new HostFacts("web-1", List.of("10.0.0.1"), "Linux", "Debian GNU/Linux", "12"),
                        InstantSource.system())
                .commands(
                        true,
                        new CommandRunner.Settings(waitSeconds, Duration.ofMillis(300), 8192, 10, Duration.ofDays(1)));
        agent.start();
        return registered.instanceId();
    }

    private void awaitSuccess(String commandId, String instanceId) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> node.ssm()
                                .getCommandInvocation(
                                        b -> b.commandId(commandId).instanceId(instanceId))
                                .status()
                        == CommandInvocationStatus.SUCCESS);
    }

    private String send(FakeAgent host) {
        return send(host.instanceId());
    }

    private String send(String instanceId) {
        return node.ssm()
                .sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(instanceId)
                        .parameters(Map.of("commands", List.of("echo streamed"))))
                .command()
                .commandId();
    }

    /** Holds a stream on a thread of its own, each line put on {@code lines} as it arrives. */
    private static CompletableFuture<Void> stream(FakeAgent host, int waitSeconds, BlockingQueue<JsonNode> lines) {
        return CompletableFuture.runAsync(() -> {
            try {
                host.client().stream(
                        "Patchtide.ReceiveCommandInvocations",
                        Map.of("InstanceId", host.instanceId(), "WaitTimeSeconds", waitSeconds, "Stream", true),
                        lines::add);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
