package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.testing.FakeAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.Command;

/** MaxConcurrency and MaxErrors with a few dozen test agents, each polling as an agent does. */
class RateControlTest {
    private final CommandNodes nodes = new CommandNodes();
    private final CommandNodes.Node node = nodes.start();

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void neverMoreThanMaxConcurrencyRunAtOnce() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 30);
        // 20% of 30 targets: 6 at a time.
        String id = send(agents, "20%", "0");
        List<FakeAgent> idle = new ArrayList<>(agents);
        List<FakeAgent> running = new ArrayList<>();
        int most = 0;
        while (!idle.isEmpty() || !running.isEmpty()) {
            for (FakeAgent agent : List.copyOf(idle)) {
                if (CommandNodes.receive(agent, 0).path("Invocations").size() == 1) {
                    idle.remove(agent);
                    running.add(agent);
                }
            }
            assertThat(running).as("invocations running at once").hasSizeLessThanOrEqualTo(6);
            most = Math.max(most, running.size());
            CommandNodes.report(running.removeFirst(), id, "Success", 0, "", "");
        }
        assertThat(most).isEqualTo(6);
        Command done = command(id);
        assertThat(done.statusAsString()).isEqualTo("Success");
        assertThat(done.completedCount()).isEqualTo(30);
    }

    @Test
    void theFourthErrorStopsSendingAndRunningOnesFinish() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 20);
        String id = send(agents, "5", "3");
        List<FakeAgent> running = new ArrayList<>();
        for (FakeAgent agent : agents) {
            if (CommandNodes.receive(agent, 0).path("Invocations").size() == 1) {
                running.add(agent);
            }
        }
        assertThat(running).hasSize(5);
        for (int i = 0; i < 3; i++) {
            CommandNodes.report(running.get(i), id, "Failed", 1, "", "");
        }
        // Three errors are allowed: the next ones are sent as room frees up.
        assertThat(nodes.states(id).values().stream().filter("RELEASED"::equals))
                .hasSize(3);
        CommandNodes.report(running.get(3), id, "Failed", 1, "", "");
        assertThat(nodes.states(id).values().stream().filter("TERMINATED"::equals))
                .hasSize(15);
        for (FakeAgent agent : agents) {
            assertThat(CommandNodes.receive(agent, 0).path("Invocations")).isEmpty();
        }
        // The one still running finishes and is taken.
        CommandNodes.report(running.get(4), id, "Failed", 1, "", "");
        Command done = command(id);
        assertThat(done.statusAsString()).isEqualTo("Failed");
        assertThat(done.errorCount()).isEqualTo(5);
        assertThat(done.completedCount()).isEqualTo(20);
    }

    private String send(List<FakeAgent> agents, String maxConcurrency, String maxErrors) {
        return node.ssm()
                .sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .targets(SendCommandTest.target(
                                "InstanceIds",
                                agents.stream().map(FakeAgent::instanceId).toArray(String[]::new)))
                        .maxConcurrency(maxConcurrency)
                        .maxErrors(maxErrors)
                        .parameters(Map.of("commands", List.of("true"))))
                .command()
                .commandId();
    }

    private Command command(String id) {
        return node.ssm().listCommands(b -> b.commandId(id)).commands().getFirst();
    }
}
