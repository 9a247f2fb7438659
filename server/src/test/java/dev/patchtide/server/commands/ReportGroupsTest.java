package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.testing.FakeAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.Command;

/**
 * Reports arriving together are stored in shared transactions ({@link Reports}): each still gets its own answer,
 * a refused one fails alone, and a result sent twice is taken once.
 */
class ReportGroupsTest {
    private static final int AGENTS = 40;

    private final CommandNodes nodes = new CommandNodes();
    private final CommandNodes.Node node = nodes.start();

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void reportsSentAtOnceAreEachStoredOrRefusedOnTheirOwn() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, AGENTS);
        String id = send(agents);
        for (FakeAgent agent : agents) {
            assertThat(CommandNodes.receive(agent, 0).path("Invocations")).hasSize(1);
        }
        String other = send(agents.subList(0, 1));
        assertThat(CommandNodes.receive(agents.getFirst(), 0).path("Invocations"))
                .hasSize(1);

        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> answers = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < AGENTS; i++) {
                FakeAgent agent = agents.get(i);
                String status = i % 4 == 0 ? "Failed" : "Success";
                int code = i % 4 == 0 ? 1 : 0;
                String out = "out of " + agent.instanceId() + "\n";
                answers.add(threads.submit(() -> {
                    go.await();
                    CommandNodes.report(agent, id, "InProgress", -1, "", "");
                    CommandNodes.report(agent, id, status, code, out, "");
                    // The agent's retry of a result the server already took is answered as a success.
                    CommandNodes.report(agent, id, status, code, out, "");
                    return "stored";
                }));
            }
            // In the same burst: an invocation that does not exist (agent 1 was not sent `other`).
            answers.add(threads.submit(() -> {
                go.await();
                return outcome(() -> CommandNodes.report(agents.get(1), other, "Success", 0, "", ""));
            }));
            go.countDown();
            for (int i = 0; i < AGENTS; i++) {
                assertThat(answers.get(i).get()).isEqualTo("stored");
            }
            assertThat(answers.get(AGENTS).get()).isEqualTo("InvocationDoesNotExist");
        }

        // A different result for an invocation already ended is refused, naming its state.
        assertThatThrownBy(() -> CommandNodes.report(agents.get(2), id, "Failed", 9, "", ""))
                .isInstanceOfSatisfying(
                        ApiCallException.class, e -> assertThat(e.code()).isEqualTo("InvalidCommandInvocationStatus"));

        Map<String, String> states = nodes.states(id);
        assertThat(states.values().stream().filter("SUCCESS"::equals)).hasSize(AGENTS * 3 / 4);
        assertThat(states.values().stream().filter("FAILED"::equals)).hasSize(AGENTS / 4);
        for (int i = 0; i < AGENTS; i++) {
            int index = i;
            var invocation = node.ssm().getCommandInvocation(b -> b.commandId(id)
                    .instanceId(agents.get(index).instanceId()));
            assertThat(invocation.standardOutputContent())
                    .isEqualTo("out of " + agents.get(i).instanceId() + "\n");
            assertThat(invocation.responseCode()).isEqualTo(i % 4 == 0 ? 1 : 0);
        }
        Command done = node.ssm().listCommands(b -> b.commandId(id)).commands().getFirst();
        assertThat(done.completedCount()).isEqualTo(AGENTS);
        assertThat(done.errorCount()).isEqualTo(AGENTS / 4);
        assertThat(done.statusAsString()).isEqualTo("Failed");
        assertThat(nodes.states(other).values()).containsExactly("DELIVERED");
    }

    private interface Call {
        void run() throws Exception;
    }

    private static String outcome(Call call) throws Exception {
        try {
            call.run();
            return "stored";
        } catch (ApiCallException e) {
            return e.code();
        }
    }

    private String send(List<FakeAgent> agents) {
        return node.ssm()
                .sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(agents.stream().map(FakeAgent::instanceId).toList())
                        .maxConcurrency("100%")
                        .maxErrors("100%")
                        .parameters(Map.of("commands", List.of("true"))))
                .command()
                .commandId();
    }
}
