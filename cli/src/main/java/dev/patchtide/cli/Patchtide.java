package dev.patchtide.cli;

import dev.patchtide.agent.cli.AgentCommand;
import dev.patchtide.agent.cli.CliErrors;
import dev.patchtide.core.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code patchtide} command: one front door for the server, the agent and the admin tools. */
@Command(
        name = "patchtide",
        mixinStandardHelpOptions = true,
        versionProvider = Patchtide.VersionProvider.class,
        description = "Self-hosted patch management and patch compliance for Linux fleets.",
        // The launcher script handles this one itself, before (and without) building the jar.
        footer = {"", "./patchtide test [MAVEN_ARGS]   build and run every test (./mvnw verify)"},
        subcommands = {
            UpCommand.class,
            ServerCommand.class,
            AgentCommand.class,
            InstancesCommand.class,
            TagsCommand.class,
            ActivationsCommand.class,
            VersionCompareCommand.class,
            ComplianceCommand.class,
            TopicsCommand.class,
            AlertsCommand.class,
            DeliveriesCommand.class,
            DashboardCommand.class,
            CommandsCommand.class,
            WindowsCommand.class,
            WorkflowsCommand.class,
            BlueprintsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Patchtide implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Patchtide()).setExecutionExceptionHandler((error, cmd, parsed) -> {
            cmd.getErr().println("error: " + CliErrors.describe(error));
            return 1;
        });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"patchtide " + Version.current()};
        }
    }
}
