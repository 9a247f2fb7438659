package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.auth.Principal;
import dev.patchtide.server.testing.FakeAgent;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Other features send and cancel through {@link Commands#launcher()} inside their own transaction. */
class LauncherTest {
    private final CommandNodes nodes = new CommandNodes();
    private final CommandNodes.Node node = nodes.start();

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void sendsOnCommitAndCancelsInTheCallersTransaction() throws Exception {
        FakeAgent agent = nodes.agents(node, 1).getFirst();
        CommandLauncher launcher = node.commands().launcher();
        CommandSpec spec = new CommandSpec(
                "AWS-RunShellScript",
                Optional.empty(),
                Map.of("commands", List.of("echo from a window")),
                List.of(),
                List.of(new CommandSpec.CommandTarget("InstanceIds", List.of(agent.instanceId()))),
                "10%",
                "1",
                Optional.of(600),
                Optional.of("window task"),
                Optional.empty(),
                Optional.empty());
        Principal window = new Principal.Admin("maintenance-window");

        // Rolled back with the caller's transaction: nothing was sent.
        assertThatThrownBy(() -> node.database().jdbi().useTransaction(h -> {
                    launcher.send(h, spec, window);
                    throw new IllegalStateException("the caller failed");
                }))
                .hasMessage("the caller failed");
        assertThat(CommandNodes.receive(agent, 0).path("Invocations")).isEmpty();

        String id = node.database().jdbi().inTransaction(h -> launcher.send(h, spec, window));
        assertThat(CommandNodes.receive(agent, 0)
                        .path("Invocations")
                        .get(0)
                        .path("CommandId")
                        .asText())
                .isEqualTo(id);
        node.database().jdbi().useTransaction(h -> launcher.cancel(h, id));
        assertThat(nodes.states(id)).containsValue("CANCELLING");

        CommandSpec bad = new CommandSpec(
                "AWS-RunShellScript",
                Optional.empty(),
                Map.of("commands", List.of("true")),
                List.of(agent.instanceId()),
                List.of(),
                "lots",
                null,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
        assertThatThrownBy(() -> node.database().jdbi().useTransaction(h -> launcher.send(h, bad, window)))
                .isInstanceOf(ApiException.Invalid.class)
                .hasMessageContaining("maxConcurrency");
    }
}
