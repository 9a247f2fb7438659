package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.lifecycle.Lifecycle;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.Settled;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.SendCommandRequest;

/**
 * Every transition of {@link CommandState#LIFECYCLE}, taken by a real server with agents over the wire; fails if a
 * scenario that takes one of them is removed. Also checks that listeners hear every status change.
 */
class CommandLifecycleTest {
    private static Lifecycle.Recording<CommandState> taken;
    private static CommandNodes nodes;
    private static CommandNodes.Node node;
    private static final List<String> heard = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        taken = CommandState.LIFECYCLE.record();
        nodes = new CommandNodes();
        node = nodes.start();
        node.commands().addListener(new CommandListener() {
            @Override
            public void commandChanged(Handle handle, CommandChange change) {
                heard.add(change.commandId() + " command " + change.status() + "/" + change.statusDetails());
            }

            @Override
            public void invocationChanged(Handle handle, InvocationChange change) {
                heard.add(change.commandId() + " " + change.instanceId() + " " + change.status() + "/"
                        + change.statusDetails());
            }
        });
    }

    @AfterAll
    static void everyTransitionWasTaken() {
        nodes.close();
        taken.close();
        assertThat(taken.missing()).as("command transitions no scenario took").isEmpty();
    }

    @Test
    void successIsToldToListenersAtEveryStep() throws Exception {
        FakeAgent agent = nodes.agents(node, 1).getFirst();
        String id = send(b -> b.instanceIds(agent.instanceId()));
        CommandNodes.receive(agent, 0);
        CommandNodes.report(agent, id, "Success", 0, "ok", "");
        assertThat(status(id)).isEqualTo("Success/Success");
        assertThat(heard.stream().filter(h -> h.startsWith(id)))
                .containsExactly(
                        id + " command Pending/Pending",
                        id + " " + agent.instanceId() + " Pending/Pending",
                        id + " " + agent.instanceId() + " InProgress/In Progress",
                        id + " command InProgress/In Progress",
                        id + " " + agent.instanceId() + " Success/Success",
                        id + " command Success/Success");
    }

    @Test
    void failedAndExecutionTimedOut() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 2);
        String failed = send(b -> b.instanceIds(agents.get(0).instanceId()));
        CommandNodes.receive(agents.get(0), 0);
        CommandNodes.report(agents.get(0), failed, "Failed", 1, "", "no");
        assertThat(status(failed)).isEqualTo("Failed/Failed");
        String timedOut = send(b -> b.instanceIds(agents.get(1).instanceId()));
        CommandNodes.receive(agents.get(1), 0);
        CommandNodes.report(agents.get(1), timedOut, "TimedOut", -1, "", "");
        assertThat(status(timedOut)).isEqualTo("TimedOut/Execution Timed Out");
    }

    @Test
    void incompleteWhenTooFewFailedToFailIt() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 3);
        String id = send(b -> b.instanceIds(ids(agents)).maxErrors("2"));
        for (int i = 0; i < 3; i++) {
            CommandNodes.receive(agents.get(i), 0);
            CommandNodes.report(agents.get(i), id, i == 0 ? "Failed" : "Success", i == 0 ? 1 : 0, "", "");
        }
        assertThat(status(id)).isEqualTo("Failed/Incomplete");
    }

    @Test
    void deliveryTimedOutBeforeAndAfterAnythingRan() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 3);
        String never = send(b -> b.instanceIds(agents.get(0).instanceId()).timeoutSeconds(30));
        String partly = send(
                b -> b.instanceIds(agents.get(1).instanceId(), agents.get(2).instanceId())
                        .timeoutSeconds(30));
        CommandNodes.receive(agents.get(1), 0);
        CommandNodes.report(agents.get(1), partly, "Success", 0, "", "");
        nodes.clock.advance(Duration.ofSeconds(31));
        dispatcherRound();
        assertThat(status(never)).isEqualTo("TimedOut/Delivery Timed Out");
        assertThat(status(partly)).isEqualTo("TimedOut/Delivery Timed Out");
        Command listed = command(partly);
        assertThat(listed.deliveryTimedOutCount()).isEqualTo(1);
        assertThat(listed.completedCount()).isEqualTo(2);
        assertThat(listed.errorCount()).isZero();
    }

    @Test
    void cancelledBeforeDeliveryWhileRunningAndAfterTheRunningOneEnded() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 3);
        String early = send(b -> b.instanceIds(agents.get(0).instanceId()));
        node.ssm().cancelCommand(b -> b.commandId(early));
        assertThat(status(early)).isEqualTo("Cancelled/Cancelled");

        String running = send(b -> b.instanceIds(agents.get(0).instanceId()));
        CommandNodes.receive(agents.get(0), 0);
        node.ssm().cancelCommand(b -> b.commandId(running));
        assertThat(status(running)).isEqualTo("Cancelling/Cancelling");
        assertThat(CommandNodes.receive(agents.get(0), 0)
                        .path("Cancellations")
                        .get(0)
                        .asText())
                .isEqualTo(running);
        CommandNodes.report(agents.get(0), running, "Cancelled", -1, "", "");
        assertThat(status(running)).isEqualTo("Cancelled/Cancelled");

        String oneByOne = send(
                b -> b.instanceIds(agents.get(1).instanceId(), agents.get(2).instanceId())
                        .maxConcurrency("1"));
        CommandNodes.receive(agents.get(1), 0);
        CommandNodes.report(agents.get(1), oneByOne, "Success", 0, "", "");
        node.ssm().cancelCommand(b -> b.commandId(oneByOne));
        assertThat(status(oneByOne)).isEqualTo("Cancelled/Cancelled");
        assertThat(nodes.states(oneByOne)).containsValues("SUCCESS", "CANCELLED");
    }

    @Test
    void failedWhenEveryTargetWasDeregisteredFirst() throws Exception {
        FakeAgent agent = nodes.agents(node, 1).getFirst();
        String id = send(b -> b.instanceIds(agent.instanceId()));
        node.ssm().deregisterManagedInstance(b -> b.instanceId(agent.instanceId()));
        assertThat(status(id)).isEqualTo("Failed/Failed");
        assertThat(nodes.states(id)).containsValues("UNDELIVERABLE");
    }

    private static void dispatcherRound() {
        Settled.wholeRound(
                "the command dispatcher",
                () -> node.commands().dispatcher().completedRounds(),
                () -> node.commands().dispatcher().wake());
    }

    static String[] ids(List<FakeAgent> agents) {
        return agents.stream().map(FakeAgent::instanceId).toArray(String[]::new);
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

    private static Command command(String id) {
        return node.ssm().listCommands(b -> b.commandId(id)).commands().getFirst();
    }

    private static String status(String id) {
        Command c = command(id);
        return c.statusAsString() + "/" + c.statusDetails();
    }
}
