package dev.patchtide.agent.cli;

import dev.patchtide.agent.Agent;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import dev.patchtide.agent.commands.AgentRestart;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code run} without picocli: the daemon lives for months, and picocli's command tree (≈ 170 classes and their
 * annotation proxies) would stay in its memory all that time for a few options read once. Only a plain, valid
 * command line for a registered host takes this way; anything else (help, an unknown or repeated option, a bad
 * value, no registration) goes to picocli's {@code run}, which words the answer as it always did.
 */
final class DaemonRun {
    static final Duration DEFAULT_SCAN_INTERVAL = Duration.ofHours(4);

    /** {@code run}'s options; absent ones take the defaults {@link AgentCommand.Run} documents. */
    record Options(Optional<Path> stateDir, Optional<Duration> heartbeatInterval, Duration scanInterval) {}

    private DaemonRun() {}

    /** The options of a plain {@code run ...} command line, or empty when picocli should handle it. */
    static Optional<Options> parse(List<String> args, Map<String, String> env) {
        if (args.isEmpty() || !args.get(0).equals("run")) {
            return Optional.empty();
        }
        String stateDir = null;
        String heartbeat = null;
        String scan = null;
        for (int i = 1; i < args.size(); i++) {
            String arg = args.get(i);
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            String value;
            if (eq > 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                return Optional.empty();
            }
            if (value.isEmpty() || value.startsWith("-")) {
                return Optional.empty();
            }
            switch (name) {
                case "--state-dir" -> {
                    if (stateDir != null) {
                        return Optional.empty();
                    }
                    stateDir = value;
                }
                case "--heartbeat-interval" -> {
                    if (heartbeat != null) {
                        return Optional.empty();
                    }
                    heartbeat = value;
                }
                case "--scan-interval" -> {
                    if (scan != null) {
                        return Optional.empty();
                    }
                    scan = value;
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        if (stateDir == null && env.containsKey("PATCHTIDE_AGENT_DIR")) {
            stateDir = env.get("PATCHTIDE_AGENT_DIR");
            if (stateDir.isBlank()) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(new Options(
                    Optional.ofNullable(stateDir).map(Path::of),
                    Optional.ofNullable(heartbeat).map(Duration::parse),
                    scan == null ? DEFAULT_SCAN_INTERVAL : Duration.parse(scan)));
        } catch (DateTimeParseException | java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }

    /**
     * Runs the daemon for {@code options} when this host is registered and returns its exit code; empty (nothing
     * started) when it is not or its registration cannot be read, for picocli's {@code run} to say so.
     */
    static Optional<Integer> runIfRegistered(Options options) {
        RegistrationFile file = new RegistrationFile(options.stateDir().orElseGet(DaemonRun::standardDir));
        Optional<Registration> registration;
        try {
            registration = file.read();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (registration.isEmpty()) {
            return Optional.empty();
        }
        run(file, registration.get(), options.heartbeatInterval(), options.scanInterval());
        return Optional.of(0);
    }

    /** The daemon itself, until stopped: what {@code run} does once its options are known. */
    static void run(
            RegistrationFile file,
            Registration registration,
            Optional<Duration> heartbeatInterval,
            Duration scanInterval) {
        Duration interval = heartbeatInterval.orElseGet(registration::heartbeatInterval);
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
    }

    /** The state folder when none is given: the system's as root, the user's own otherwise. */
    static Path standardDir() {
        boolean root = "root".equals(System.getProperty("user.name"));
        return root
                ? Path.of("/var/lib/patchtide-agent")
                : Path.of(System.getProperty("user.home"), ".local", "state", "patchtide-agent");
    }
}
