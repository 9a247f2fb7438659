package dev.patchtide.agent.cli;

import dev.patchtide.agent.Agent;
import dev.patchtide.agent.HostFacts;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import dev.patchtide.agent.scan.PackageFamily;
import dev.patchtide.agent.scan.PatchReport;
import dev.patchtide.agent.scan.RebootCheck;
import dev.patchtide.agent.scan.apt.AptScanner;
import dev.patchtide.agent.scan.apt.AptUpdate;
import dev.patchtide.agent.scan.dnf.DnfScanner;
import dev.patchtide.agent.scan.dnf.DnfUpdate;
import dev.patchtide.agent.scan.rpm.InstalledRpm;
import dev.patchtide.agent.scan.rpm.RpmDatabase;
import dev.patchtide.agent.scan.rpm.RpmPackage;
import dev.patchtide.agent.scan.zypper.InstalledRpms;
import dev.patchtide.agent.scan.zypper.ZyppPackage;
import dev.patchtide.agent.scan.zypper.ZypperRepo;
import dev.patchtide.agent.scan.zypper.ZypperRepos;
import dev.patchtide.agent.scan.zypper.ZypperScanner;
import dev.patchtide.agent.scan.zypper.ZypperUpdate;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Self-service scan on a host: what apt would upgrade, read from dpkg's and apt's own files, then reported
 * to the server as this host's agent when the host is registered.
 */
@Command(
        name = "scan",
        mixinStandardHelpOptions = true,
        description = {
            "Scan this host for available package updates, print them and report them to the server if this host is"
                    + " registered. apt hosts (Debian, Ubuntu): run 'apt-get update' first for fresh lists; dnf hosts"
                    + " (RHEL, Rocky, Alma, Oracle Linux, Amazon Linux, Fedora): 'dnf makecache'; zypper hosts (SLES,"
                    + " openSUSE): 'zypper refresh'.",
            "The registration used: --state-dir (or $PATCHTIDE_AGENT_DIR) if given; else the standard state dir if it"
                    + " holds one; else that of the agent 'patchtide up' runs, data/agent under the current"
                    + " directory (or $PATCHTIDE_DATA_DIR/agent). So on the host of 'up', run from the folder"
                    + " you started it in."
        })
final class AgentScanCommand implements Callable<Integer> {
    @Option(
            names = "--root",
            defaultValue = "/",
            description = "Scan the host tree mounted here (a chroot, an image, a container's root file system),"
                    + " with the package manager its package database calls for; only '/' is reported.")
    Path root;

    @picocli.CommandLine.Mixin
    AgentCommand.StateDir state;

    @Spec
    CommandSpec spec;

    private void printApt(PrintWriter out) throws Exception {
        List<AptUpdate> updates = new AptScanner(root).upgradable();
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
    }

    /** As {@code dnf check-update} and {@code dnf updateinfo list} on that tree, in one table. */
    private void printDnf(PrintWriter out) throws Exception {
        List<RpmPackage> installed = RpmDatabase.of(root).orElseThrow().installed().stream()
                .map(InstalledRpm::pkg)
                .toList();
        List<DnfUpdate> updates = new DnfScanner().scan(root, installed);
        Table table = new Table(
                "PACKAGE",
                "ARCH",
                "INSTALLED",
                "AVAILABLE",
                "REPOSITORY",
                "CLASSIFICATION",
                "SEVERITY",
                "ADVISORIES",
                "CVES");
        for (DnfUpdate u : updates) {
            table.add(
                    u.name(),
                    u.arch(),
                    u.installed(),
                    u.available(),
                    u.repository(),
                    u.classification(),
                    u.severity().isEmpty() ? "-" : u.severity(),
                    u.advisoryIds().isEmpty() ? "-" : String.join(",", u.advisoryIds()),
                    u.cves().isEmpty() ? "-" : String.join(",", u.cves()));
        }
        table.print(out);
        long security = updates.stream()
                .filter(u -> u.classification().equals("Security"))
                .count();
        out.println();
        out.println(updates.size() + " packages can be upgraded, " + security + " of them by a security advisory.");
    }

    /** As {@code zypper list-updates} on that tree, with the patches that carry each update. */
    private void printZypper(PrintWriter out) throws Exception {
        String release = HostFacts.osRelease(root).getOrDefault("VERSION_ID", "");
        List<ZypperRepo> repos = ZypperRepos.read(root, release, PatchReport.systemArch());
        List<ZyppPackage> installed = InstalledRpms.read(root).stream()
                .map(InstalledRpms.Installed::pkg)
                .toList();
        List<ZypperUpdate> updates =
                new ZypperScanner().scan(root, installed, repos).updates();
        Table table = new Table(
                "PACKAGE", "ARCH", "INSTALLED", "AVAILABLE", "REPOSITORY", "CATEGORY", "SEVERITY", "PATCHES", "CVES");
        for (ZypperUpdate u : updates) {
            table.add(
                    u.name(),
                    u.arch(),
                    u.installed(),
                    u.available(),
                    u.repository(),
                    u.classification().isEmpty() ? "-" : u.classification(),
                    u.severity().isEmpty() ? "-" : u.severity(),
                    u.patchIds().isEmpty() ? "-" : String.join(",", u.patchIds()),
                    u.cves().isEmpty() ? "-" : String.join(",", u.cves()));
        }
        table.print(out);
        long security = updates.stream()
                .filter(u -> u.classification().equals("Security"))
                .count();
        out.println();
        out.println(updates.size() + " packages can be upgraded, " + security + " of them by a security patch.");
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        switch (PackageFamily.require(root)) {
            case APT -> printApt(out);
            case DNF -> printDnf(out);
            case ZYPPER -> printZypper(out);
        }
        RebootCheck.RebootStatus reboot = new RebootCheck(root).check();
        out.println(
                reboot.required()
                        ? "Reboot required: " + String.join("; ", reboot.reasons())
                                + (reboot.packages().isEmpty()
                                        ? ""
                                        : " (asked by " + String.join(", ", reboot.packages()) + ")")
                        : "No reboot required (running kernel " + reboot.runningKernel() + ").");
        if (!root.equals(Path.of("/"))) {
            out.println("Not reported: a mounted host tree is scanned for display only.");
            out.flush();
            return 0;
        }
        RegistrationFile file = state.fileOrUpAgent();
        Optional<Registration> registration = file.read();
        if (registration.isPresent()) {
            var verdict = Agent.forThisHost(
                            registration.get(),
                            file.stateDir(),
                            Duration.ofMinutes(5),
                            Duration.ZERO,
                            Clock.systemUTC())
                    .scanAndReport();
            out.println("Reported to " + registration.get().serverUrl() + " as "
                    + registration.get().instanceId()
                    + " (registration in " + file.stateDir().toAbsolutePath().normalize() + "): "
                    + verdict.path("ComplianceStatus").asText() + ", "
                    + verdict.path("MissingCount").asInt()
                    + " missing patches under baseline "
                    + verdict.path("BaselineId").asText() + ".");
        } else {
            out.println("Not reported: " + state.notRegistered(file).getMessage() + ".");
        }
        out.flush();
        return 0;
    }
}
