package dev.patchtide.agent.install;

import dev.patchtide.agent.scan.PackageFamily;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Installs exact versions of updates through the host's own package manager (apt, dnf, zypper): first a simulation
 * that names everything the package manager would do beyond the requested updates, then the install itself.
 * Never an upgrade of everything.
 */
interface PackageManager {

    /** One update to install: exactly this version of this package (architecture as the scan named it). */
    record Target(String name, String version, String arch) {
        @Override
        public String toString() {
            return name + " " + version + " (" + arch + ")";
        }
    }

    /**
     * What a simulated install would do.
     *
     * @param exitCode the package manager's exit code (not 0: it would refuse the whole transaction)
     * @param extras every change to a package that was not asked for ("install libfoo 1.2", "remove bar 3.0")
     * @param notUpgraded requested updates the transaction would not make, each with the package manager's reason
     * @param output what it printed, for the step's output when it refused
     */
    record Simulation(int exitCode, List<String> extras, Map<Target, String> notUpgraded, String output) {}

    /** The command line that installs exactly {@code targets} (shown in the step's output before it runs). */
    List<String> installCommand(List<Target> targets);

    Simulation simulate(List<Target> targets) throws IOException, InterruptedException;

    /** Runs the install, its output going to the step's; returns the exit code. */
    int install(List<Target> targets, OutputStream out, OutputStream err) throws IOException, InterruptedException;

    /** The installed version of each package named, absent when a package is not installed. */
    Map<String, String> installedVersions(List<String> names) throws IOException, InterruptedException;

    /**
     * The package manager of the host tree at {@code root} (the agent's root: "/" on a host), as its package
     * database calls for.
     */
    static PackageManager forHost(Path root) {
        return switch (PackageFamily.require(root)) {
            case APT -> new AptPackageManager(List.of());
            case ZYPPER -> new ZypperPackageManager(root);
            case DNF -> DnfPackageManager.of(root);
        };
    }
}
