package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * SendCommand hands its invocations to the polls waiting on its own node itself ({@link Handout}): their rows are
 * committed DELIVERED with the command, nobody is woken for them, and their InProgress follows their Pending. A poll
 * gone before the commit gives its row back (RELEASED, woken, delivered to the agent's next poll); a superseded
 * poll whose successor waits on the node gives its place to it; a poll on another node gets its invocation the
 * usual way (woken, claimed there).
 */
class SendCommandHandoutTest {
    private final CommandNodes nodes = new CommandNodes();
    private final CommandNodes.Node nodeA = nodes.start();
    private final CommandNodes.Node nodeB = nodes.start();

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void waitingPollsAreAnsweredAtTheCommitAndOnlyTheOthersAreWoken() throws Exception {
        List<FakeAgent> agents = nodes.agents(nodeA, 4);
        FakeAgent handed = agents.get(0);
        FakeAgent gone = agents.get(1);
        FakeAgent renewed = agents.get(2);
        FakeAgent elsewhere = nodes.on(nodeB, agents.get(3));
        Told told = new Told();
        nodeA.commands().addListener(told);
        nodeB.commands().addListener(told);

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
                Handle listening = nodeA.database().jdbi().open()) {
            listening.execute("LISTEN " + Wakeups.CHANNEL);
            CompletableFuture<JsonNode> handedPoll = poll(threads, handed, 20);
            CompletableFuture<JsonNode> gonePoll = poll(threads, gone, 20);
            CompletableFuture<JsonNode> renewedPoll = poll(threads, renewed, 20);
            CompletableFuture<JsonNode> elsewherePoll = poll(threads, elsewhere, 20);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> nodeA.commands().waitingAgents() == 3
                            && nodeB.commands().waitingAgents() == 1);

            // SendCommand stops inside its transaction, its polls reserved and its rows inserted, at its Pending.
            CompletableFuture<String> sent = CompletableFuture.supplyAsync(
                    () -> nodeA.ssm()
                            .sendCommand(b -> b.documentName("AWS-RunShellScript")
                                    .instanceIds(agents.stream()
                                            .map(FakeAgent::instanceId)
                                            .toList())
                                    .maxConcurrency("100%")
                                    .parameters(Map.of("commands", List.of("true"))))
                            .command()
                            .commandId(),
                    threads);
            assertThat(told.pendingReached.await(30, TimeUnit.SECONDS)).isTrue();

            // Meanwhile one agent polls again and waits, another polls again and is done at once (its newer poll
            // ends empty: nothing is committed yet): both reserved polls are superseded.
            CompletableFuture<JsonNode> renewedAgain = poll(threads, renewed, 20);
            await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.commands().waitingAgents() == 4);
            assertThat(poll(threads, gone, 0).get(30, TimeUnit.SECONDS).path("Invocations"))
                    .isEmpty();
            told.proceed.countDown();
            String commandId = sent.get(30, TimeUnit.SECONDS);

            // At the commit: handed out to the two agents still reading, given back for the one gone.
            Map<String, String> states = nodes.states(commandId);
            assertThat(states.get(handed.instanceId())).isEqualTo("DELIVERED");
            assertThat(states.get(renewed.instanceId())).isEqualTo("DELIVERED");
            assertThat(states.get(gone.instanceId())).isEqualTo("RELEASED");
            assertThat(invocationIn(handedPoll.get(10, TimeUnit.SECONDS))).isEqualTo(commandId);
            assertThat(invocationIn(renewedAgain.get(10, TimeUnit.SECONDS))).isEqualTo(commandId);
            assertThat(renewedPoll.get(10, TimeUnit.SECONDS).path("Invocations"))
                    .isEmpty();
            assertThat(gonePoll.get(10, TimeUnit.SECONDS).path("Invocations")).isEmpty();
            assertThat(deliveredAsAClaimMarksThem(commandId))
                    .contains(handed.instanceId(), renewed.instanceId())
                    .doesNotContain(gone.instanceId());

            // Woken: the one given back and the one waiting on the other node, nobody handed out here. A wake-up
            // sent after the commit arrives after SendCommand's.
            listening
                    .createQuery("SELECT pg_notify(:channel, 'end-of-test')")
                    .bind("channel", Wakeups.CHANNEL)
                    .mapTo(String.class)
                    .list();
            assertThat(wokenUntil(listening, "end-of-test"))
                    .contains(gone.instanceId(), elsewhere.instanceId())
                    .doesNotContain(handed.instanceId(), renewed.instanceId());

            // The other node's poll gets it as usual; the agent whose poll was gone gets it at its next poll.
            assertThat(invocationIn(elsewherePoll.get(15, TimeUnit.SECONDS))).isEqualTo(commandId);
            assertThat(invocationIn(poll(threads, gone, 20).get(15, TimeUnit.SECONDS)))
                    .isEqualTo(commandId);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> nodes.states(commandId).values().stream().allMatch("DELIVERED"::equals));

            // Each invocation's InProgress after its Pending, once; the command's InProgress after its Pending.
            for (FakeAgent agent : agents) {
                assertThat(told.of(agent.instanceId())).containsExactly("Pending", "InProgress");
            }
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(told.of(commandId)).containsExactly("Pending", "InProgress"));
        }
    }

    /** The instances whose invocation of {@code commandId} has its delivery's times set as a claim sets them. */
    private Set<String> deliveredAsAClaimMarksThem(String commandId) {
        return new HashSet<>(nodeA.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT ci.instance_id FROM command_invocations ci JOIN commands c"
                                + " USING (command_id) WHERE command_id = CAST(:id AS uuid)"
                                + " AND ci.delivered_at = c.requested_at AND ci.execution_start = c.requested_at"
                                + " AND ci.silent_deadline > c.expires_after")
                .bind("id", commandId)
                .mapTo(String.class)
                .list()));
    }

    /** The instances named by wake-ups until {@code sentinel} arrives. */
    private static Set<String> wokenUntil(Handle listening, String sentinel) throws Exception {
        PGConnection connection = listening.getConnection().unwrap(PGConnection.class);
        Set<String> woken = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            PGNotification[] arrived = connection.getNotifications(500);
            for (PGNotification n : arrived == null ? new PGNotification[0] : arrived) {
                if (n.getParameter().equals(sentinel)) {
                    return woken;
                }
                woken.addAll(List.of(n.getParameter().split(",")));
            }
        }
        throw new AssertionError("the sentinel wake-up never arrived");
    }

    private static String invocationIn(JsonNode answer) {
        return answer.path("Invocations").get(0).path("CommandId").asText();
    }

    private static CompletableFuture<JsonNode> poll(ExecutorService threads, FakeAgent agent, int waitSeconds) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return CommandNodes.receive(agent, waitSeconds);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                threads);
    }

    /**
     * Records the statuses told, by subject, in the order told; holds the first command's Pending (inside SendCommand's
     * transaction) until let go.
     */
    private static final class Told implements CommandListener {
        final CountDownLatch pendingReached = new CountDownLatch(1);
        final CountDownLatch proceed = new CountDownLatch(1);
        private final List<Map.Entry<String, String>> told = Collections.synchronizedList(new ArrayList<>());

        List<String> of(String subject) {
            synchronized (told) {
                return told.stream()
                        .filter(e -> e.getKey().equals(subject))
                        .map(Map.Entry::getValue)
                        .toList();
            }
        }

        @Override
        public void commandChanged(Handle handle, CommandChange change) {
            told.add(Map.entry(change.commandId(), change.status()));
            if (change.status().equals("Pending") && pendingReached.getCount() > 0) {
                pendingReached.countDown();
                try {
                    proceed.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void invocationChanged(Handle handle, InvocationChange change) {
            told.add(Map.entry(change.instanceId(), change.status()));
        }
    }
}
