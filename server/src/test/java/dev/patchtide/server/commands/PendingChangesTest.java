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
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * SendCommand to a fleet leaves its Pending changes to be told after its commit, and each claim of its hand-out its
 * InProgress changes: they still reach the bus exactly once each, also when the node dies before telling them, each
 * at the time of its change, and per invocation in order: Pending, InProgress, then the result (and the command's
 * Pending before its InProgress). The order is witnessed by a trigger that numbers the events as they are written,
 * across nodes, and keeps only committed ones.
 */
class PendingChangesTest {
    private static final int AGENTS = PendingChanges.DEFER_AT_LEAST + 20;

    private final CommandNodes nodes = new CommandNodes();

    @AfterEach
    void stop() {
        System.clearProperty(Commands.NO_PENDING_LOOP);
        nodes.close();
    }

    @Test
    void aNodeThatDiesBeforeTellingLosesNothingAndEachChangeIsToldInOrderAtItsTime() throws Exception {
        // Node one never tells what SendCommand and the claims deferred: as if it died right after their commits.
        System.setProperty(Commands.NO_PENDING_LOOP, "true");
        CommandNodes.Node one = witnessed(nodes.start());
        System.clearProperty(Commands.NO_PENDING_LOOP);
        List<FakeAgent> agents = agents(one, "crash");
        List<FakeAgent> early = agents.subList(0, AGENTS / 2);
        List<FakeAgent> reporters = early.subList(0, early.size() / 2);
        List<FakeAgent> late = agents.subList(AGENTS / 2, AGENTS);

        String commandId = sendWhilePolling(one, early, "crash");

        // The agents that polled got it; their claims told nothing of their invocations, the command's own start
        // told its Pending first.
        await().atMost(Duration.ofSeconds(30)).until(() -> busStatuses(one, commandId)
                .getOrDefault(commandId, List.of())
                .contains("InProgress"));
        Map<String, List<String>> bus = busStatuses(one, commandId);
        for (FakeAgent agent : agents) {
            assertThat(bus.get(agent.instanceId())).isNull(); // the gap: committed, not told yet
        }
        assertThat(untold(one, commandId)).isEqualTo(agents.size());
        assertThat(untoldInProgress(one, commandId)).isEqualTo(early.size());

        // A result tells what is still untold of its invocation first, then itself.
        for (FakeAgent agent : reporters) {
            CommandNodes.report(agent, commandId, "Success", 0, "done", "");
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, List<String>> now = busStatuses(one, commandId);
            for (FakeAgent agent : reporters) {
                assertThat(now.get(agent.instanceId())).containsExactlyInAnyOrder("Pending", "InProgress", "Success");
            }
        });

        // Another node starts ten minutes later (within every timeout): it tells what was left, once, each change at
        // its own time.
        nodes.clock.advance(Duration.ofMinutes(10));
        CommandNodes.Node two = nodes.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> untold(two, commandId) == 0);
        Map<String, List<String>> leftTold = busStatuses(two, commandId);
        for (FakeAgent agent : early.subList(reporters.size(), early.size())) {
            assertThat(leftTold.get(agent.instanceId())).containsExactlyInAnyOrder("Pending", "InProgress");
        }
        for (FakeAgent agent : late) {
            assertThat(leftTold.get(agent.instanceId())).containsExactly("Pending");
        }
        assertThat(inProgressAtTheirHandOut(two, commandId)).isEqualTo(early.size());

        List<FakeAgent> lateOnTwo = late.stream().map(a -> nodes.on(two, a)).toList();
        receiveAll(lateOnTwo, commandId);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, List<String>> all = busStatuses(two, commandId);
            for (FakeAgent agent : agents) {
                List<String> expected = reporters.contains(agent)
                        ? List.of("Pending", "InProgress", "Success")
                        : List.of("Pending", "InProgress");
                assertThat(all.get(agent.instanceId())).containsExactlyInAnyOrderElementsOf(expected);
            }
            assertThat(all.get(commandId)).containsExactlyInAnyOrder("Pending", "InProgress");
        });
        assertThat(inProgressAtTheirHandOut(two, commandId)).isEqualTo(agents.size());
        assertToldInOrder(two, commandId, agents);
    }

    @Test
    void withTheLoopRacingTheClaimsEveryChangeIsToldOnceAndInOrder() throws Exception {
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
        assertThat(inProgressAtTheirHandOut(node, commandId)).isEqualTo(agents.size());
        assertToldInOrder(node, commandId, agents);
    }

    /** Numbers every event as it is written (a sequence, in the writing transaction: only committed ones stay). */
    private static CommandNodes.Node witnessed(CommandNodes.Node node) {
        node.database()
                .jdbi()
                .useHandle(
                        h -> h.execute(
                                "CREATE TABLE IF NOT EXISTS told_order (n bigserial,"
                                        + " subject text, status text);"
                                        + " CREATE OR REPLACE FUNCTION told_order() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                                        + " INSERT INTO told_order (subject, status) SELECT coalesce(e->'detail'->>'instance-id',"
                                        + " e->'detail'->>'command-id'), e->'detail'->>'status' FROM (SELECT CAST(NEW.envelope AS jsonb) AS e) x"
                                        + " WHERE e->>'source' = 'aws.ssm' AND e->'detail'->>'command-id' IS NOT NULL"
                                        + " AND e->'detail'->>'status' IS NOT NULL; RETURN NEW; END $$;"
                                        + " CREATE OR REPLACE TRIGGER told_order AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION told_order()"));
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

    private static int untoldInProgress(CommandNodes.Node node, String commandId) {
        return node.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM command_pending_changes"
                        + " WHERE command_id = CAST(:id AS uuid) AND in_progress_at IS NOT NULL")
                .bind("id", commandId)
                .mapTo(Integer.class)
                .one());
    }

    /** How many InProgress events bear their invocation's hand-out time (not the time they were told). */
    private static int inProgressAtTheirHandOut(CommandNodes.Node node, String commandId) {
        return node.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM (SELECT event_time,"
                        + " CAST(envelope AS jsonb) AS e FROM events) x JOIN command_invocations ci"
                        + " ON ci.command_id = CAST(:id AS uuid) AND ci.instance_id = e->'detail'->>'instance-id'"
                        + " WHERE e->>'source' = 'aws.ssm' AND e->'detail'->>'command-id' = :id"
                        + " AND e->'detail'->>'status' = 'InProgress'"
                        + " AND date_trunc('second', x.event_time) = date_trunc('second', ci.delivered_at)")
                .bind("id", commandId)
                .mapTo(Integer.class)
                .one());
    }

    /** Each subject was told each of its statuses once, and Pending before InProgress before Success. */
    private static void assertToldInOrder(CommandNodes.Node node, String commandId, List<FakeAgent> agents) {
        Map<String, Map<String, Long>> at = new HashMap<>();
        node.database().jdbi().useHandle(h -> h.createQuery("SELECT subject, status, n FROM told_order ORDER BY n")
                .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)})
                .forEach(t -> at.computeIfAbsent((String) t[0], k -> new HashMap<>())
                        .merge((String) t[1], (Long) t[2], (a, b) -> {
                            throw new AssertionError(t[0] + " told " + t[1] + " twice");
                        })));
        List<String> subjects =
                new ArrayList<>(agents.stream().map(FakeAgent::instanceId).toList());
        subjects.add(commandId);
        for (String subject : subjects) {
            Map<String, Long> own = at.get(subject);
            assertThat(own).as(subject).containsKeys("Pending", "InProgress");
            assertThat(own.get("Pending")).as(subject).isLessThan(own.get("InProgress"));
            if (own.containsKey("Success")) {
                assertThat(own.get("InProgress")).as(subject).isLessThan(own.get("Success"));
            }
        }
    }
}
