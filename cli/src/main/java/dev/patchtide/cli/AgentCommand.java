package dev.patchtide.cli;

import dev.patchtide.agent.Agent;
import dev.patchtide.agent.Registrar;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import dev.patchtide.server.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The agent on a host: register it once with an activation, then run it. */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        description = "Register and run the Patchtide agent on this host.",
        subcommands = {AgentCommand.Register.class, AgentCommand.Run.class, AgentScanCommand.class})
final class AgentCommand {

    static final class StateDir {
        @Option(
                names = "--state-dir",
                defaultValue = "${env:PATCHTIDE_AGENT_DIR}",
                description = "Where the agent keeps its registration (default: /var/lib/patchtide-agent as root,"
                        + " ~/.local/state/patchtide-agent otherwise).")
        Path stateDir;

        RegistrationFile file() {
            if (stateDir != null) {
                return new RegistrationFile(stateDir);
            }
            boolean root = "root".equals(System.getProperty("user.name"));
            return new RegistrationFile(
                    root
                            ? Path.of("/var/lib/patchtide-agent")
                            : Path.of(System.getProperty("user.home"), ".local", "state", "patchtide-agent"));
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true, description = "Register this host with a server.")
    static final class Register implements Callable<Integer> {
        @Option(names = "--server", required = true, description = "The server's URL, e.g. http://patchtide:8420.")
        URI server;

        @Option(names = "--activation-id", required = true, description = "Activation id from CreateActivation.")
        String activationId;

        @Option(names = "--activation-code", required = true, description = "Activation code from CreateActivation.")
        String activationCode;

        @Option(names = "--region", defaultValue = ServerConfig.DEFAULT_REGION, description = "The server's region.")
        String region;

        @Option(names = "--force", description = "Register again even if this host is registered already.")
        boolean force;

        @picocli.CommandLine.Mixin
        StateDir state;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            RegistrationFile file = state.file();
            if (!force && file.read().isPresent()) {
                throw new IOException(
                        "this host is registered already (" + file.path() + "); use --force to register it again");
            }
            Registration registration =
                    new Registrar(Clock.systemUTC()).register(server, region, activationId, activationCode, file);
            spec.commandLine()
                    .getOut()
                    .println("Registered as " + registration.instanceId() + "; credential stored in " + file.path());
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the agent until stopped.")
    static final class Run implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        StateDir state;

        @Option(
                names = "--heartbeat-interval",
                description = "Report interval (ISO-8601 duration); default: what the server said at registration.")
        Duration heartbeatInterval;

        @Option(
                names = "--scan-interval",
                defaultValue = "PT4H",
                description = "How often to scan for patches and report them (ISO-8601; PT0S turns it off; default"
                        + " ${DEFAULT-VALUE}).")
        Duration scanInterval;

        @Override
        public Integer call() throws Exception {
            RegistrationFile file = state.file();
            Registration registration = file.read()
                    .orElseThrow(() -> new IOException("this host is not registered (no " + file.path()
                            + "); run 'patchtide agent register' first"));
            Duration interval = heartbeatInterval != null ? heartbeatInterval : registration.heartbeatInterval();
            Agent agent = Agent.forThisHost(registration, file.stateDir(), interval, scanInterval, Clock.systemUTC());
            Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "patchtide-agent-shutdown"));
            agent.run();
            return 0;
        }
    }
}
