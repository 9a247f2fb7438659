package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * Enough agents waiting that one wake-up is split among the node's claimers (several claims in flight at once, each
 * in its own transaction): every agent still receives the command exactly once, and the command counts each once.
 */
class ParallelClaimsTest {
    /** More than three claims' worth of the smallest chunk (200), so all three claimers take part. */
    private static final int AGENTS = 650;

    static {
        // Three claimers (the default is one); read when a node's deliverer is built.
        System.setProperty("patchtide.commands.claimers", "3");
    }

    private final CommandNodes nodes = new CommandNodes();
    private final CommandNodes.Node node = nodes.start();

    @AfterEach
    void stop() {
        nodes.close();
        System.clearProperty("patchtide.commands.claimers");
    }

    @Test
    void everyWaitingAgentReceivesTheCommandOnceWhenClaimsRunSideBySide() throws Exception {
        var activation = node.ssm().createActivation(b -> b.iamRole("fleet-role")
                .registrationLimit(AGENTS)
                .tags(Tag.builder().key("fleet").value("parallel").build()));
        List<FakeAgent> agents = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            agents.add(FakeAgent.register(node.endpoint(), activation.activationId(), activation.activationCode()));
        }
        Map<String, List<String>> received = new ConcurrentHashMap<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> polls = new ArrayList<>();
            for (FakeAgent agent : agents) {
                polls.add(threads.submit(() -> {
                    // Two polls in a row, as an agent does: the second must bring nothing new.
                    for (int poll = 0; poll < 2; poll++) {
                        JsonNode answer = CommandNodes.receive(agent, poll == 0 ? 20 : 1);
                        answer.path("Invocations").forEach(i -> received.computeIfAbsent(
                                        agent.instanceId(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(i.path("CommandId").asText()));
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> node.commands().waitingAgents() == AGENTS);

            String commandId = node.ssm()
                    .sendCommand(b -> b.documentName("AWS-RunShellScript")
                            .targets(SendCommandTest.target("tag-key", "fleet"))
                            .maxConcurrency("100%")
                            .parameters(Map.of("commands", List.of("true"))))
                    .command()
                    .commandId();
            for (Future<?> poll : polls) {
                poll.get(60, TimeUnit.SECONDS);
            }

            assertThat(received).hasSize(AGENTS);
            assertThat(received.values()).allSatisfy(ids -> assertThat(ids).containsExactly(commandId));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                var invocations = node.ssm()
                        .listCommandInvocations(b -> b.commandId(commandId).maxResults(50))
                        .commandInvocations();
                assertThat(invocations)
                        .allSatisfy(i -> assertThat(i.statusAsString()).isEqualTo("InProgress"));
                assertThat(node.ssm()
                                .listCommands(b -> b.commandId(commandId))
                                .commands()
                                .getFirst()
                                .statusAsString())
                        .isEqualTo("InProgress");
            });
            int delivered = node.database().jdbi().withHandle(h -> h.createQuery(
                            "SELECT count(*) FROM command_invocations"
                                    + " WHERE command_id = CAST(:id AS uuid) AND state = 'DELIVERED'")
                    .bind("id", commandId)
                    .mapTo(Integer.class)
                    .one());
            assertThat(delivered).isEqualTo(AGENTS);
        }
    }
}
