package dev.patchtide.cli;

import dev.patchtide.agent.Agent;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.scan.RebootCheck;
import dev.patchtide.agent.scan.apt.AptScanner;
import dev.patchtide.agent.scan.apt.AptUpdate;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Self-service scan on a host: what apt would upgrade, read from dpkg's and apt's own files. It does not
 * report to the server yet: compliance reporting comes with baselines.
 */
@Command(
        name = "scan",
        mixinStandardHelpOptions = true,
        description =
                "Scan this host for available package updates and print them (apt hosts; run 'apt-get update' first"
                        + " for fresh lists).")
final class AgentScanCommand implements Callable<Integer> {
    @Option(names = "--root", defaultValue = "/", hidden = true, description = "Scan a host tree mounted here.")
    Path root;

    @picocli.CommandLine.Mixin
    AgentCommand.StateDir state;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(root.resolve("var/lib/dpkg/status"))) {
            throw new IllegalStateException("no dpkg status database under " + root
                    + ": only apt-based hosts (Debian, Ubuntu) can be scanned so far");
        }
        List<AptUpdate> updates = new AptScanner(root).upgradable();
        PrintWriter out = spec.commandLine().getOut();
        Table table = new Table("PACKAGE", "ARCH", "INSTALLED", "CANDIDATE", "FROM", "SECURITY", "PRIORITY", "SECTION");
        for (AptUpdate u : updates) {
            table.add(
                    u.name(),
                    u.architecture(),
                    u.installedVersion(),
                    u.candidateVersion(),
                    String.join(",", u.archives()),
                    u.security() ? "yes" : "no",
                    u.priority(),
                    u.section());
        }
        table.print(out);
        long security = updates.stream().filter(AptUpdate::security).count();
        out.println();
        out.println(updates.size() + " packages can be upgraded, " + security + " of them from a security archive.");
        RebootCheck.RebootStatus reboot = new RebootCheck(root).check();
        out.println(
                reboot.required()
                        ? "Reboot required: " + String.join("; ", reboot.reasons())
                                + (reboot.packages().isEmpty()
                                        ? ""
                                        : " (asked by " + String.join(", ", reboot.packages()) + ")")
                        : "No reboot required (running kernel " + reboot.runningKernel() + ").");
        var registration = root.equals(Path.of("/")) ? state.file().read() : java.util.Optional.<Registration>empty();
        if (registration.isPresent()) {
            var verdict = Agent.forThisHost(
                            registration.get(),
                            state.file().stateDir(),
                            Duration.ofMinutes(5),
                            Duration.ZERO,
                            Clock.systemUTC())
                    .scanAndReport();
            out.println("Reported to " + registration.get().serverUrl() + " as "
                    + registration.get().instanceId()
                    + ": " + verdict.path("ComplianceStatus").asText() + ", "
                    + verdict.path("MissingCount").asInt()
                    + " missing patches under baseline "
                    + verdict.path("BaselineId").asText() + ".");
        } else {
            out.println("Not reported: this host is not registered (no "
                    + state.file().path() + ").");
        }
        out.flush();
        return 0;
    }
}
