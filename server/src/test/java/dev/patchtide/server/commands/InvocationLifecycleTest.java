package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.lifecycle.Lifecycle;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.Settled;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.SendCommandRequest;

/**
 * Every transition of {@link InvocationState#LIFECYCLE}, taken by a real server with agents over the wire; fails if
 * a scenario that takes one of them is removed.
 */
class InvocationLifecycleTest {
    private static Lifecycle.Recording<InvocationState> taken;
    private static CommandNodes nodes;
    private static CommandNodes.Node node;

    @BeforeAll
    static void start() {
        taken = InvocationState.LIFECYCLE.record();
        nodes = new CommandNodes();
        node = nodes.start();
    }

    @AfterAll
    static void everyTransitionWasTaken() {
        nodes.close();
        taken.close();
        assertThat(taken.missing())
                .as("invocation transitions no scenario took")
                .isEmpty();
    }

    @Test
    void agentsReportEveryFinalStatus() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 4);
        String id = send(b -> b.instanceIds(CommandLifecycleTest.ids(agents)).maxErrors("4"));
        List<String> reports = List.of("Success", "Failed", "TimedOut", "Cancelled");
        for (int i = 0; i < 4; i++) {
            assertThat(CommandNodes.receive(agents.get(i), 0).path("Invocations"))
                    .hasSize(1);
            CommandNodes.report(agents.get(i), id, reports.get(i), i, "", "");
        }
        assertThat(nodes.states(id).values()).containsExactly("SUCCESS", "FAILED", "EXECUTION_TIMED_OUT", "CANCELLED");
    }

    @Test
    void cancelledWhileRunningThenEachEnding() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 4);
        String id = send(b -> b.instanceIds(CommandLifecycleTest.ids(agents)).maxErrors("4"));
        for (FakeAgent agent : agents) {
            CommandNodes.receive(agent, 0);
        }
        node.ssm().cancelCommand(b -> b.commandId(id));
        assertThat(nodes.states(id).values()).containsOnly("CANCELLING");
        List<String> reports = List.of("Success", "Failed", "TimedOut", "Cancelled");
        for (int i = 0; i < 4; i++) {
            CommandNodes.report(agents.get(i), id, reports.get(i), i, "", "");
        }
        assertThat(nodes.states(id).values()).containsExactly("SUCCESS", "FAILED", "EXECUTION_TIMED_OUT", "CANCELLED");
    }

    @Test
    void cancelledBeforeTheAgentsTookIt() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 2);
        String id = send(b -> b.instanceIds(CommandLifecycleTest.ids(agents)).maxConcurrency("1"));
        assertThat(nodes.states(id).values()).containsExactly("RELEASED", "QUEUED");
        node.ssm().cancelCommand(b -> b.commandId(id));
        assertThat(nodes.states(id).values()).containsOnly("CANCELLED");
    }

    @Test
    void terminatedOnceErrorsExceedMaxErrors() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 3);
        String id = send(b -> b.instanceIds(CommandLifecycleTest.ids(agents)).maxConcurrency("2"));
        CommandNodes.receive(agents.get(0), 0);
        CommandNodes.report(agents.get(0), id, "Failed", 1, "", "");
        assertThat(nodes.states(id).values()).containsExactly("FAILED", "TERMINATED", "TERMINATED");
        assertThat(CommandNodes.receive(agents.get(1), 0).path("Invocations")).isEmpty();
    }

    @Test
    void undeliverableWhenTheInstanceIsDeregistered() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 2);
        String id = send(b -> b.instanceIds(CommandLifecycleTest.ids(agents)).maxConcurrency("1"));
        node.ssm().deregisterManagedInstance(b -> b.instanceId(agents.get(1).instanceId()));
        node.ssm().deregisterManagedInstance(b -> b.instanceId(agents.get(0).instanceId()));
        assertThat(nodes.states(id).values()).containsOnly("UNDELIVERABLE");
    }

    @Test
    void deliveryTimedOutQueuedReleasedAndSilent() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 3);
        String undelivered = send(
                b -> b.instanceIds(agents.get(0).instanceId(), agents.get(1).instanceId())
                        .maxConcurrency("1")
                        .timeoutSeconds(30));
        String silent = send(b -> b.instanceIds(agents.get(2).instanceId())
                .timeoutSeconds(30)
                .parameters(Map.of("commands", List.of("sleep 1000"), "executionTimeout", List.of("60"))));
        CommandNodes.receive(agents.get(2), 0);
        nodes.clock.advance(Duration.ofSeconds(31));
        dispatcherRound();
        assertThat(nodes.states(undelivered).values()).containsOnly("DELIVERY_TIMED_OUT");
        assertThat(nodes.states(silent).values()).containsOnly("DELIVERED");
        // Past the command's expiry (30 s + 60 s) and the backstop's grace.
        nodes.clock.advance(Duration.ofSeconds(120));
        dispatcherRound();
        assertThat(nodes.states(silent).values()).containsOnly("DELIVERY_TIMED_OUT");
    }

    private static void dispatcherRound() {
        Settled.wholeRound(
                "the command dispatcher",
                () -> node.commands().dispatcher().completedRounds(),
                () -> node.commands().dispatcher().wake());
    }

    private static String send(UnaryOperator<SendCommandRequest.Builder> targets) {
        return node.ssm()
                .sendCommand(targets.apply(SendCommandRequest.builder()
                                .documentName("AWS-RunShellScript")
                                .parameters(Map.of("commands", List.of("true"))))
                        .build())
                .command()
                .commandId();
    }
}
