package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * SendCommand to a fleet leaves its Pending changes to be told after its commit: they still reach the bus exactly
 * once each, also when the node dies before telling them, and always before the claim's InProgress of the same
 * invocation (and the command's Pending before its InProgress).
 */
class PendingChangesTest {
    private static final int AGENTS = PendingChanges.DEFER_AT_LEAST + 20;

    private final CommandNodes nodes = new CommandNodes();
    /** Order of telling, across nodes; recorded only for transactions that committed. */
    private final AtomicLong order = new AtomicLong();

    private final Queue<Told> told = new ConcurrentLinkedQueue<>();

    private record Told(String subject, String status, long order) {}

    @AfterEach
    void stop() {
        System.clearProperty(Commands.NO_PENDING_LOOP);
        nodes.close();
    }

    @Test
    void aNodeThatDiesBeforeTellingLosesNothingAndEachPendingPrecedesItsInProgress() throws Exception {
        // Node one never tells what SendCommand deferred: as if it died right after the commit.
        System.setProperty(Commands.NO_PENDING_LOOP, "true");
        CommandNodes.Node one = witnessed(nodes.start());
        System.clearProperty(Commands.NO_PENDING_LOOP);
        List<FakeAgent> agents = agents(one, "crash");
        List<FakeAgent> early = agents.subList(0, AGENTS / 2);
        List<FakeAgent> late = agents.subList(AGENTS / 2, AGENTS);

        String commandId = sendWhilePolling(one, early, "crash");

        // The agents that polled got it; their claims told their Pending (and the command's) first.
        await().atMost(Duration.ofSeconds(30)).until(() -> busStatuses(one, commandId)
                .getOrDefault(commandId, List.of())
                .contains("InProgress"));
        Map<String, List<String>> bus = busStatuses(one, commandId);
        for (FakeAgent agent : early) {
            assertThat(bus.get(agent.instanceId())).containsExactlyInAnyOrder("Pending", "InProgress");
        }
        for (FakeAgent agent : late) {
            assertThat(bus.get(agent.instanceId())).isNull(); // the gap: committed, not told yet
        }
        assertThat(untold(one, commandId)).isEqualTo(late.size());

        // Claimed on node one: each Pending was told (by the claim) before its InProgress.
        // (afterCommit callbacks run just after the commit a query may already see)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertPendingFirst(commandId, early));

        // Another node starts: it tells what was left, once (it may begin before a witness could be added, so the
        // order of the rest is checked by the steps: all told before any of them is polled for).
        CommandNodes.Node two = nodes.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> untold(two, commandId) == 0);
        Map<String, List<String>> leftTold = busStatuses(two, commandId);
        for (FakeAgent agent : late) {
            assertThat(leftTold.get(agent.instanceId())).containsExactly("Pending");
        }
        List<FakeAgent> lateOnTwo = late.stream().map(a -> nodes.on(two, a)).toList();
        receiveAll(lateOnTwo, commandId);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, List<String>> all = busStatuses(two, commandId);
            for (FakeAgent agent : agents) {
                assertThat(all.get(agent.instanceId())).containsExactlyInAnyOrder("Pending", "InProgress");
            }
            assertThat(all.get(commandId)).containsExactlyInAnyOrder("Pending", "InProgress");
        });
    }

    @Test
    void withTheLoopRacingTheClaimsEveryPendingIsToldOnceAndFirst() throws Exception {
        CommandNodes.Node node = witnessed(nodes.start());
        List<FakeAgent> agents = agents(node, "race");

        String commandId = sendWhilePolling(node, agents, "race");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, List<String>> bus = busStatuses(node, commandId);
            for (FakeAgent agent : agents) {
                assertThat(bus.get(agent.instanceId())).containsExactlyInAnyOrder("Pending", "InProgress");
            }
            assertThat(bus.get(commandId)).containsExactlyInAnyOrder("Pending", "InProgress");
        });
        assertThat(untold(node, commandId)).isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertPendingFirst(commandId, agents));
    }

    private CommandNodes.Node witnessed(CommandNodes.Node node) {
        node.commands().addListener(new CommandListener() {
            @Override
            public void commandChanged(Handle handle, CommandChange change) {
                record(handle, change.commandId(), change.status());
            }

            @Override
            public void invocationChanged(Handle handle, InvocationChange change) {
                record(handle, change.instanceId(), change.status());
            }

            private void record(Handle handle, String subject, String status) {
                long at = order.incrementAndGet();
                handle.afterCommit(() -> told.add(new Told(subject, status, at)));
            }
        });
        return node;
    }

    private List<FakeAgent> agents(CommandNodes.Node node, String fleet) throws Exception {
        var activation = node.ssm().createActivation(b -> b.iamRole("fleet-role")
                .registrationLimit(AGENTS)
                .tags(Tag.builder().key("fleet").value(fleet).build()));
        List<FakeAgent> agents = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            agents.add(FakeAgent.register(node.endpoint(), activation.activationId(), activation.activationCode()));
        }
        return agents;
    }

    /** Sends to the whole fleet while {@code polling} wait in their long polls; each of them gets the command. */
    private static String sendWhilePolling(CommandNodes.Node node, List<FakeAgent> polling, String fleet)
            throws Exception {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<JsonNode>> polls = new ArrayList<>();
            for (FakeAgent agent : polling) {
                polls.add(threads.submit(() -> CommandNodes.receive(agent, 20)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> node.commands().waitingAgents() == polling.size());
            String commandId = node.ssm()
                    .sendCommand(b -> b.documentName("AWS-RunShellScript")
                            .targets(SendCommandTest.target("tag:fleet", fleet))
                            .maxConcurrency("100%")
                            .parameters(Map.of("commands", List.of("true"))))
                    .command()
                    .commandId();
            assertEachReceived(polls, commandId);
            return commandId;
        }
    }

    private static void receiveAll(List<FakeAgent> agents, String commandId) throws Exception {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<JsonNode>> polls = new ArrayList<>();
            for (FakeAgent agent : agents) {
                polls.add(threads.submit(() -> CommandNodes.receive(agent, 20)));
            }
            assertEachReceived(polls, commandId);
        }
    }

    /** Every poll's answer hands out an invocation of {@code commandId}. */
    private static void assertEachReceived(List<Future<JsonNode>> polls, String commandId) throws Exception {
        for (Future<JsonNode> poll : polls) {
            assertThat(poll.get(30, TimeUnit.SECONDS)
                            .path("Invocations")
                            .get(0)
                            .path("CommandId")
                            .asText())
                    .isEqualTo(commandId);
        }
    }

    /** The statuses on the default bus, by instance id (and the command's own under its id). */
    private static Map<String, List<String>> busStatuses(CommandNodes.Node node, String commandId) {
        Map<String, List<String>> statuses = new HashMap<>();
        node.database().jdbi().useHandle(h -> h.createQuery("SELECT coalesce(e->'detail'->>'instance-id',"
                        + " e->'detail'->>'command-id'), e->'detail'->>'status' FROM (SELECT CAST(envelope AS jsonb) AS e"
                        + " FROM events) x WHERE e->>'source' = 'aws.ssm' AND e->'detail'->>'command-id' = :id")
                .bind("id", commandId)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .forEach(e -> statuses.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                        .add(e.getValue())));
        return statuses;
    }

    private static int untold(CommandNodes.Node node, String commandId) {
        return node.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM command_pending_changes WHERE command_id = CAST(:id AS uuid)")
                .bind("id", commandId)
                .mapTo(Integer.class)
                .one());
    }

    private void assertPendingFirst(String commandId, List<FakeAgent> agents) {
        Map<String, Map<String, Long>> at = new HashMap<>();
        told.forEach(t -> at.computeIfAbsent(t.subject(), k -> new HashMap<>()).merge(t.status(), t.order(), (a, b) -> {
            throw new AssertionError(t.subject() + " told " + t.status() + " twice");
        }));
        List<String> subjects =
                new ArrayList<>(agents.stream().map(FakeAgent::instanceId).toList());
        subjects.add(commandId);
        for (String subject : subjects) {
            Map<String, Long> own = at.get(subject);
            assertThat(own).as(subject).containsKeys("Pending", "InProgress");
            assertThat(own.get("Pending")).as(subject).isLessThan(own.get("InProgress"));
        }
    }
}
