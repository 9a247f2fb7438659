package dev.patchtide.cli;

import dev.patchtide.agent.cli.SystemdNotifier;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The server alone, for hosts whose agents register from elsewhere. */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Run the Patchtide server (embedded PostgreSQL unless --db-url is given); Ctrl-C stops it.")
final class ServerCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RunningServer running = RunningServer.start(options);
        // Under systemd (the package's Type=notify unit): ready once HTTPS answers, then watchdog pings.
        Optional<SystemdNotifier> systemd = SystemdNotifier.fromEnvironment(System.getenv());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            systemd.ifPresent(SystemdNotifier::stopping);
                            running.close();
                        },
                        "patchtide-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("Patchtide server: API at " + running.endpoint() + ", data in " + running.dataDir());
        out.println("  " + running.profile().exportLine());
        out.println("Register agents with an activation: ./patchtide activations create --registration-limit 10");
        out.flush();
        systemd.ifPresent(SystemdNotifier::readyAndKeepAlive);
        Thread.currentThread().join();
        return 0;
    }
}
