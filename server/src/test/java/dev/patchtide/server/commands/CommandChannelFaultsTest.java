package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.testing.FakeAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's channel when the bookkeeping after a hand-out fails: an invocation marked delivered always reaches
 * its agent (at most once, never lost without a crash).
 */
class CommandChannelFaultsTest {
    private final CommandNodes nodes = new CommandNodes();
    private final CommandNodes.Node node = nodes.start();

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void invocationHandedOutReachesItsAgentWhenSettlingTheCommandFails() throws Exception {
        FakeAgent agent = nodes.agents(node, 1).getFirst();
        String commandId = node.ssm()
                .sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(agent.instanceId())
                        .parameters(Map.of("commands", List.of("true"))))
                .command()
                .commandId();
        // The command's move to InProgress (settled after the hand-out) fails once, as when no connection is left.
        AtomicBoolean failed = new AtomicBoolean();
        node.commands().addListener(new CommandListener() {
            @Override
            public void commandChanged(Handle handle, CommandChange change) {
                if (change.status().equals("InProgress") && failed.compareAndSet(false, true)) {
                    throw new IllegalStateException("settling failed");
                }
            }

            @Override
            public void invocationChanged(Handle handle, InvocationChange change) {}
        });

        List<String> received = new ArrayList<>();
        for (int poll = 0; poll < 2; poll++) {
            try {
                JsonNode answer = CommandNodes.receive(agent, 0);
                answer.path("Invocations")
                        .forEach(i -> received.add(i.path("CommandId").asText()));
            } catch (ApiCallException e) {
                // the agent polls again after an error
            }
        }

        assertThat(received).containsExactly(commandId);
        // The settle runs after the hand-out, on its own: wait for it to have failed.
        await().atMost(Duration.ofSeconds(30)).untilTrue(failed);
    }

    @Test
    void claimOfAPollSupersededMeanwhileIsRolledBackAndTheNewerPollGetsTheInvocation() throws Exception {
        FakeAgent agent = nodes.agents(node, 1).getFirst();
        // The first poll's claim stalls (as when it waited for a connection) until a newer poll has arrived.
        CountDownLatch claiming = new CountDownLatch(1);
        CountDownLatch newerArrived = new CountDownLatch(1);
        node.commands().addListener(new CommandListener() {
            @Override
            public void commandChanged(Handle handle, CommandChange change) {}

            @Override
            public void invocationChanged(Handle handle, InvocationChange change) {
                if (change.status().equals("InProgress") && claiming.getCount() > 0) {
                    claiming.countDown();
                    try {
                        newerArrived.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<JsonNode> older = threads.submit(() -> CommandNodes.receive(agent, 20));
            await().atMost(Duration.ofSeconds(10)).until(() -> node.commands().waitingAgents() == 1);
            // Sent on a thread of its own: with the poll waiting here, SendCommand hands the invocation out in its
            // own transaction, so the stalled claim is SendCommand's.
            Future<String> sent = threads.submit(() -> node.ssm()
                    .sendCommand(b -> b.documentName("AWS-RunShellScript")
                            .instanceIds(agent.instanceId())
                            .parameters(Map.of("commands", List.of("true"))))
                    .command()
                    .commandId());
            assertThat(claiming.await(15, TimeUnit.SECONDS)).isTrue();
            Future<JsonNode> newer = threads.submit(() -> CommandNodes.receive(agent, 20));
            await().atMost(Duration.ofSeconds(10)).until(() -> node.commands().waitingAgents() == 2);
            newerArrived.countDown();

            String commandId = sent.get(25, TimeUnit.SECONDS);
            assertThat(older.get(15, TimeUnit.SECONDS).path("Invocations")).isEmpty();
            JsonNode received = newer.get(25, TimeUnit.SECONDS);
            assertThat(received.path("Invocations").get(0).path("CommandId").asText())
                    .isEqualTo(commandId);
        }
    }

    @Test
    void pollAnswersARetryableThrottlingErrorWhenThePoolHasNoConnectionLeft() throws Exception {
        // A node of its own whose pool waits 2 s for a connection (30 s by default) before giving up.
        CommandNodes.Node impatient = nodes.start(Duration.ofSeconds(2));
        FakeAgent agent = nodes.agents(impatient, 1).getFirst();
        // Every connection of the node's pool taken (one is the wake-ups' listener): the poll waits out the pool.
        List<Handle> held = new ArrayList<>();
        try {
            for (int i = 0; i < 9; i++) {
                held.add(impatient.database().jdbi().open());
            }
            assertThatThrownBy(() -> CommandNodes.receive(agent, 0))
                    .isInstanceOfSatisfying(ApiCallException.class, e -> {
                        assertThat(e.code()).isEqualTo("ThrottlingException");
                        assertThat(e.httpStatus()).isEqualTo(503);
                    });
        } finally {
            held.forEach(Handle::close);
        }
        assertThat(CommandNodes.receive(agent, 0).path("Invocations")).isEmpty();
    }
}
