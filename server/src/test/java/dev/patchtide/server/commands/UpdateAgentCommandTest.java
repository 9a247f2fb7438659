package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.SsmException;

/**
 * Patchtide-UpdateAgent as the server sends it: the built-in document resolves to the agent's
 * patchtide:updateAgent step with its two inputs, and MaxConcurrency holds the upgrade to one host at a time
 * (the agents here are signed test clients; AgentUpgradeIT runs the real packaged agent).
 */
class UpdateAgentCommandTest {
    private static CommandNodes nodes;
    private static CommandNodes.Node node;

    @BeforeAll
    static void start() {
        nodes = new CommandNodes();
        node = nodes.start();
    }

    @AfterAll
    static void stop() {
        nodes.close();
    }

    @Test
    void theUpgradeGoesToOneHostAtATimeWithMaxConcurrencyOne() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 3);
        String id = node.ssm()
                .sendCommand(b -> b.documentName("Patchtide-UpdateAgent")
                        .instanceIds(CommandLifecycleTest.ids(agents))
                        .maxConcurrency("1"))
                .command()
                .commandId();

        List<FakeAgent> waiting = new ArrayList<>(agents);
        for (int round = 0; round < 3; round++) {
            // exactly one of the agents still waiting is handed the upgrade ...
            JsonNode[] got = new JsonNode[1];
            FakeAgent running = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> {
                                for (FakeAgent agent : waiting) {
                                    JsonNode answer = CommandNodes.receive(agent, 0);
                                    if (!answer.path("Invocations").isEmpty()) {
                                        got[0] = answer.path("Invocations").get(0);
                                        return agent;
                                    }
                                }
                                return null;
                            },
                            a -> a != null);
            waiting.remove(running);
            JsonNode step = got[0].path("Plan").path("Steps").get(0);
            assertThat(step.path("Action").asText()).isEqualTo("patchtide:updateAgent");
            assertThat(step.path("Inputs").path("TargetVersion").asText()).isEmpty();
            assertThat(step.path("Inputs").path("AllowDowngrade").asText()).isEqualTo("false");
            // ... and none of the others while it runs
            for (FakeAgent other : waiting) {
                assertThat(CommandNodes.receive(other, 1).path("Invocations")).isEmpty();
            }
            CommandNodes.report(running, id, "Success", 0, "upgraded", "");
        }
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> node.ssm()
                                .listCommands(b -> b.commandId(id))
                                .commands()
                                .getFirst()
                                .statusAsString(),
                        "Success"::equals);
    }

    @Test
    void itsParametersAreCheckedAsTheDocumentStatesThem() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 1);
        String explicit = node.ssm()
                .sendCommand(b -> b.documentName("Patchtide-UpdateAgent")
                        .instanceIds(agents.getFirst().instanceId())
                        .parameters(Map.of("version", List.of("1.2.3"), "allowDowngrade", List.of("true"))))
                .command()
                .commandId();
        JsonNode inputs = await().atMost(Duration.ofSeconds(30))
                .until(() -> CommandNodes.receive(agents.getFirst(), 1).path("Invocations"), i -> !i.isEmpty())
                .get(0)
                .path("Plan")
                .path("Steps")
                .get(0)
                .path("Inputs");
        assertThat(inputs.path("TargetVersion").asText()).isEqualTo("1.2.3");
        assertThat(inputs.path("AllowDowngrade").asText()).isEqualTo("true");
        CommandNodes.report(agents.getFirst(), explicit, "Success", 0, "", "");

        assertThatThrownBy(() -> node.ssm().sendCommand(b -> b.documentName("Patchtide-UpdateAgent")
                        .instanceIds(agents.getFirst().instanceId())
                        .parameters(Map.of("version", List.of("1.2; rm -rf /")))))
                .isInstanceOf(SsmException.class)
                .hasMessageContaining("version");
        assertThatThrownBy(() -> node.ssm().sendCommand(b -> b.documentName("Patchtide-UpdateAgent")
                        .instanceIds(agents.getFirst().instanceId())
                        .parameters(Map.of("allowDowngrade", List.of("yes")))))
                .isInstanceOf(SsmException.class)
                .hasMessageContaining("allowDowngrade");
    }
}
