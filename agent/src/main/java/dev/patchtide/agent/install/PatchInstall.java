package dev.patchtide.agent.install;

import dev.patchtide.agent.install.PackageManager.Simulation;
import dev.patchtide.agent.install.PackageManager.Target;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Installs an install plan exactly: simulates first and names in the output every change the package manager
 * would make beyond the plan and every planned update it would not make (nothing is dropped silently), runs
 * the install of the rest, then checks each package's installed version and says what was installed and what
 * was not. What it installed is recorded as pending a reboot ({@link PendingReboot}).
 */
final class PatchInstall {
    private final PackageManager manager;
    private final PrintStream out;
    private final PrintStream err;
    private final OutputStream rawOut;
    private final OutputStream rawErr;

    PatchInstall(PackageManager manager, PrintStream out, PrintStream err, OutputStream rawOut, OutputStream rawErr) {
        this.manager = manager;
        this.out = out;
        this.err = err;
        this.rawOut = rawOut;
        this.rawErr = rawErr;
    }

    /** True when every planned update is installed at its planned version. */
    boolean install(PatchOperationRun.Plan plan, Path root) throws IOException, InterruptedException {
        out.println("Installing " + plan.patches().size() + " approved missing patch(es) of baseline "
                + plan.baselineId() + ":");
        plan.patches().forEach(p -> out.println("  " + p.id()));
        List<Target> targets =
                plan.patches().stream().map(PatchOperationRun.Planned::target).toList();
        Simulation simulation = manager.simulate(targets);
        if (simulation.exitCode() != 0) {
            fail("The package manager refuses this install (simulation exit code " + simulation.exitCode()
                    + "); nothing was installed. Its output:");
            out.print(simulation.output());
            return false;
        }
        if (!simulation.extras().isEmpty()) {
            out.println("The package manager also makes these changes, which the plan does not name:");
            simulation.extras().forEach(e -> out.println("  " + e));
        }
        if (!simulation.notUpgraded().isEmpty()) {
            fail("Not installed: the package manager would not make these updates:");
            simulation.notUpgraded().forEach((t, why) -> fail("  " + t + ": " + why));
        }
        List<Target> go = targets.stream()
                .filter(t -> !simulation.notUpgraded().containsKey(t))
                .toList();
        if (go.isEmpty()) {
            return false;
        }
        out.println("Running: " + String.join(" ", manager.installCommand(go)));
        out.flush();
        int exit = manager.install(go, rawOut, rawErr);
        Map<String, String> now = manager.installedVersions(
                go.stream().map(Target::name).distinct().toList());
        List<String> installed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (PatchOperationRun.Planned p : plan.patches()) {
            Target t = p.target();
            if (!go.contains(t)) {
                continue;
            }
            String version = now.get(t.name());
            if (t.version().equals(version)) {
                installed.add(t.name() + "=" + t.version());
                out.println("Installed " + t.name() + " " + t.version()
                        + (p.installedVersion().isEmpty() ? "" : " (was " + p.installedVersion() + ")"));
            } else {
                failed.add(t.name());
                fail("Failed " + t.name() + " " + t.version() + ": "
                        + (version == null ? "not installed" : "version " + version + " is installed"));
            }
        }
        PendingReboot.record(root, installed);
        out.println("Install finished: " + installed.size() + " installed, "
                + (failed.size() + simulation.notUpgraded().size()) + " not installed (exit code " + exit + ").");
        return exit == 0 && failed.isEmpty() && simulation.notUpgraded().isEmpty();
    }

    private void fail(String line) {
        out.println(line);
        err.println(line);
    }
}
