package dev.patchtide.cli;

import dev.patchtide.agent.Agent;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registrar;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import dev.patchtide.agent.tls.ServerCa;
import dev.patchtide.server.tls.TlsMaterial;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Server, embedded database and this host's own agent, all in one process, until Ctrl-C. */
@Command(
        name = "up",
        mixinStandardHelpOptions = true,
        description = "Run the server on an embedded PostgreSQL with an agent for this host; Ctrl-C stops it.")
final class UpCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;

    @picocli.CommandLine.Option(
            names = "--scan-interval",
            defaultValue = "PT4H",
            description = "How often this host's agent scans for patches (ISO-8601; PT0S turns it off; default"
                    + " ${DEFAULT-VALUE}). The first scan runs at start.")
    Duration scanInterval;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RunningServer running = RunningServer.start(options);
        Agent agent;
        Registration registration;
        try {
            registration = registerThisHost(running);
            agent = Agent.forThisHost(
                    registration, agentStateDir(running), options.heartbeatInterval, scanInterval, Clock.systemUTC());
            agent.reportOnce();
            agent.start();
        } catch (IOException | ApiCallException | RuntimeException e) {
            running.close();
            throw e;
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            agent.close();
                            running.close();
                        },
                        "patchtide-shutdown"));
        // One write, after the agent's start-up line: log lines (stderr) cannot land inside the banner.
        PrintWriter out = spec.commandLine().getOut();
        out.print(banner(
                running,
                registration,
                DashboardCommand.loginLink(running.profile().client())));
        out.flush();
        Thread.currentThread().join();
        return 0;
    }

    private static String banner(RunningServer running, Registration registration, String loginLink)
            throws IOException {
        String nl = System.lineSeparator();
        return String.join(
                nl,
                "",
                "Patchtide is up: API at " + running.endpoint() + ", data in " + running.dataDir(),
                "This host is managed instance " + registration.instanceId() + ".",
                "To use the AWS CLI against it:",
                "",
                "  " + running.profile().exportLine(),
                "  aws ssm describe-instance-information",
                "",
                "Dashboard: " + running.endpoint() + "/dashboard/",
                "  sign in with this one-time link (valid 5 minutes; a new one: ./patchtide dashboard link"
                        + dataDirOption(running) + "):",
                "  " + loginLink,
                "  or with the admin key in " + running.dataDir().resolve("aws-credentials"),
                "",
                "Press Ctrl-C to stop.",
                "");
    }

    /** The {@code --data-dir} an admin command needs to find this server, if not the default one. */
    private static String dataDirOption(RunningServer running) {
        Path defaultDir = Path.of("data").toAbsolutePath().normalize();
        return running.dataDir().equals(defaultDir) ? "" : " --data-dir " + running.dataDir();
    }

    /**
     * Reuses this host's registration from an earlier run when the server still accepts it; otherwise
     * registers anew, through the API, exactly as an agent on another host would.
     */
    private Registration registerThisHost(RunningServer running) throws IOException, ApiCallException {
        RegistrationFile file = new RegistrationFile(agentStateDir(running));
        Optional<Registration> stored = file.read();
        if (stored.isPresent()) {
            Registration current = withServer(stored.get(), running);
            // This agent runs beside its server: it trusts the server's CA as it is now, without a fingerprint.
            pinServerCa(running, file);
            try {
                Agent.forThisHost(current, file.stateDir(), options.heartbeatInterval, Duration.ZERO, Clock.systemUTC())
                        .reportOnce();
                file.write(current);
                return current;
            } catch (ApiCallException e) {
                if (!e.isCredentialRejected() && !e.code().equals("InvalidInstanceId")) {
                    throw e;
                }
                spec.commandLine()
                        .getErr()
                        .println("The stored registration of this host was refused (" + e.code()
                                + "); registering again.");
            }
        }
        var admin = running.profile().client();
        var activation = admin.call(
                "AmazonSSM.CreateActivation",
                Map.of(
                        "IamRole",
                        "patchtide-up",
                        "Description",
                        "This host, registered by patchtide up",
                        "DefaultInstanceName",
                        HostFacts.collect(Path.of("/")).computerName(),
                        "RegistrationLimit",
                        1));
        return new Registrar(Clock.systemUTC())
                .register(
                        URI.create(running.endpoint()),
                        running.config().region(),
                        activation.path("ActivationId").asText(),
                        activation.path("ActivationCode").asText(),
                        running.tls().map(TlsMaterial::caFingerprint),
                        file);
    }

    private static void pinServerCa(RunningServer running, RegistrationFile file) throws IOException {
        if (running.tls().isPresent()) {
            ServerCa.save(file.stateDir(), running.tls().get().ca());
        } else {
            Files.deleteIfExists(file.stateDir().resolve(ServerCa.FILE_NAME));
        }
    }

    private static Path agentStateDir(RunningServer running) {
        return running.dataDir().resolve("agent");
    }

    /** The server may listen on another port than last time, and its heartbeat setting may have changed. */
    private static Registration withServer(Registration stored, RunningServer running) {
        return new Registration(
                running.endpoint(),
                running.config().region(),
                stored.instanceId(),
                stored.accessKeyId(),
                stored.secretAccessKey(),
                Math.max(1, running.config().pingPolicy().heartbeatInterval().toSeconds()),
                stored.registeredAt());
    }
}
