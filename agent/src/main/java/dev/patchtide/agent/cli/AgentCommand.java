package dev.patchtide.agent.cli;

import dev.patchtide.agent.Agent;
import dev.patchtide.agent.Registrar;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import dev.patchtide.agent.commands.AgentRestart;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The agent on a host: register it once with an activation, then run it. */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        versionProvider = AgentCommand.VersionProvider.class,
        description = "Register and run the Patchtide agent on this host.",
        subcommands = {
            AgentCommand.Register.class,
            AgentCommand.Run.class,
            AgentScanCommand.class,
            AgentPatchCommand.class
        })
public final class AgentCommand {
    /** The server's default region (the server's ServerConfig says the same; the agent does not depend on it). */
    static final String DEFAULT_REGION = "us-east-1";

    static final class VersionProvider implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"patchtide-agent " + dev.patchtide.core.Version.current()};
        }
    }

    public static final class StateDir {
        /** Where {@code patchtide up} keeps its own agent's state, under its data folder. */
        public static final String UP_AGENT_DIR = "agent";

        @Option(
                names = "--state-dir",
                defaultValue = "${env:PATCHTIDE_AGENT_DIR}",
                description = "Where the agent keeps its registration (default: /var/lib/patchtide-agent as root,"
                        + " ~/.local/state/patchtide-agent otherwise).")
        Path stateDir;

        @Spec(Spec.Target.MIXEE)
        CommandSpec mixee;

        /** The state dir given, or the standard one for this user. */
        RegistrationFile file() {
            return stateDir != null ? new RegistrationFile(stateDir) : new RegistrationFile(standardDir());
        }

        /**
         * For a one-off run as this host's agent ({@code scan}): the state dir given; else the standard one if
         * it holds a registration; else that of {@code patchtide up}'s agent, {@code agent} in the data folder
         * ($PATCHTIDE_DATA_DIR, or {@code data} in the current directory), if that holds one.
         */
        RegistrationFile fileOrUpAgent() throws IOException {
            return stateDir != null
                    ? new RegistrationFile(stateDir)
                    : resolve(new RegistrationFile(standardDir()), upAgentFile());
        }

        static RegistrationFile resolve(RegistrationFile standard, RegistrationFile upAgent) throws IOException {
            if (standard.read().isEmpty() && Files.exists(upAgent.path())) {
                return upAgent;
            }
            return standard;
        }

        /** The error for a host without a registration, pointing at up's agent when there is one. */
        IOException notRegistered(RegistrationFile file) {
            RegistrationFile upAgent = upAgentFile();
            String hint = stateDir == null && Files.exists(upAgent.path())
                    ? "; 'patchtide up' registered its own agent in "
                            + upAgent.stateDir().toAbsolutePath().normalize()
                            + " (it runs inside up already; to act as it: --state-dir " + displayed(upAgent) + ")"
                    : "; run '" + agentCommand() + " register' first";
            return new IOException("this host is not registered (no " + file.path() + ")" + hint);
        }

        /** How the user calls the agent here: {@code patchtide agent}, or {@code patchtide-agent} from its package. */
        private String agentCommand() {
            for (CommandSpec s = mixee; s != null; s = s.parent()) {
                if (s.userObject() instanceof AgentCommand) {
                    return s.qualifiedName();
                }
            }
            return "patchtide agent";
        }

        static RegistrationFile upAgentFile() {
            String dataDir = Optional.ofNullable(System.getenv("PATCHTIDE_DATA_DIR"))
                    .filter(d -> !d.isBlank())
                    .orElse("data");
            return new RegistrationFile(Path.of(dataDir).resolve(UP_AGENT_DIR));
        }

        /** As the user would type it: relative to the current directory when it is below it. */
        static String displayed(RegistrationFile file) {
            Path dir = file.stateDir();
            Path here = Path.of("").toAbsolutePath();
            Path absolute = dir.toAbsolutePath().normalize();
            return absolute.startsWith(here) && !absolute.equals(here)
                    ? here.relativize(absolute).toString()
                    : absolute.toString();
        }

        private static Path standardDir() {
            boolean root = "root".equals(System.getProperty("user.name"));
            return root
                    ? Path.of("/var/lib/patchtide-agent")
                    : Path.of(System.getProperty("user.home"), ".local", "state", "patchtide-agent");
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true, description = "Register this host with a server.")
    public static final class Register implements Callable<Integer> {
        @Option(names = "--server", required = true, description = "The server's URL, e.g. https://patchtide:8420.")
        URI server;

        @Option(names = "--activation-id", required = true, description = "Activation id from CreateActivation.")
        String activationId;

        @Option(names = "--activation-code", required = true, description = "Activation code from CreateActivation.")
        String activationCode;

        @Option(
                names = "--ca-fingerprint",
                description = "sha256:<64 hex> of the server's CA certificate, as 'activations create' prints it;"
                        + " required for an https server, whose CA is then pinned.")
        String caFingerprint;

        @Option(names = "--region", defaultValue = DEFAULT_REGION, description = "The server's region.")
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
            Registration registration = new Registrar(Clock.systemUTC())
                    .register(server, region, activationId, activationCode, Optional.ofNullable(caFingerprint), file);
            spec.commandLine()
                    .getOut()
                    .println("Registered as " + registration.instanceId() + "; credential stored in " + file.path());
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the agent until stopped.")
    public static final class Run implements Callable<Integer> {
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
            Registration registration = file.read().orElseThrow(() -> state.notRegistered(file));
            Duration interval = heartbeatInterval != null ? heartbeatInterval : registration.heartbeatInterval();
            Agent agent = Agent.forThisHost(registration, file.stateDir(), interval, scanInterval, Clock.systemUTC())
                    // the daemon restarts itself after Patchtide-UpdateAgent replaced its package
                    .restartAction(AgentRestart.daemon(System.getenv()));
            Optional<SystemdNotifier> systemd = SystemdNotifier.fromEnvironment(System.getenv());
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                systemd.ifPresent(SystemdNotifier::stopping);
                                agent.close();
                            },
                            "patchtide-agent-shutdown"));
            systemd.ifPresent(SystemdNotifier::readyAndKeepAlive);
            agent.run();
            return 0;
        }
    }
}
