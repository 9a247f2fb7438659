package dev.patchtide.agent.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * The {@code patchtide-agent} command of the agent's own package: the very command classes behind
 * {@code patchtide agent}, in a jar that holds only the agent, core and their libraries.
 */
public final class AgentMain {
    private AgentMain() {}

    public static void main(String[] args) {
        // The daemon's usual command line runs without picocli (DaemonRun says why); all else goes through it.
        Optional<Integer> daemon =
                DaemonRun.parse(List.of(args), System.getenv()).flatMap(DaemonRun::runIfRegistered);
        System.exit(
                daemon.isPresent()
                        ? daemon.get()
                        : commandLine("patchtide-agent").execute(args));
    }

    /** The agent's commands under {@code name}, errors worded for a terminal as the admin CLI words them. */
    public static CommandLine commandLine(String name) {
        return new CommandLine(new AgentCommand())
                .setCommandName(name)
                .setExecutionExceptionHandler((error, cmd, parsed) -> {
                    cmd.getErr().println("error: " + CliErrors.describe(error));
                    return 1;
                });
    }
}
