package dev.patchtide.agent.install;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * dnf with exact NEVRAs: {@code dnf install -y name-[epoch:]version-release.arch …} (never {@code dnf upgrade}
 * of everything, nor {@code upgrade-minimal}); the simulation is the same request answered "no"
 * ({@code --assumeno}), whose transaction table lists every package it would touch.
 */
final class DnfPackageManager implements PackageManager {
    static final Map<String, String> ENVIRONMENT = Map.of("LC_ALL", "C");

    @Override
    public List<String> installCommand(List<Target> targets) {
        List<String> command = new ArrayList<>(List.of("dnf", "install", "-y"));
        targets.forEach(t -> command.add(nevra(t)));
        return command;
    }

    List<String> simulateCommand(List<Target> targets) {
        List<String> command = new ArrayList<>(List.of("dnf", "install", "--assumeno"));
        targets.forEach(t -> command.add(nevra(t)));
        return command;
    }

    /** name-[epoch:]version-release.arch, the version as the scan reported it ([epoch:]version-release). */
    static String nevra(Target t) {
        return t.name() + "-" + t.version() + (t.arch().isEmpty() ? "" : "." + t.arch());
    }

    @Override
    public Simulation simulate(List<Target> targets) throws IOException, InterruptedException {
        Processes.Captured run = Processes.capture(simulateCommand(targets), ENVIRONMENT);
        // --assumeno ends every transaction with "Operation aborted." and exit code 1: that is the answer
        // asked for, not a refusal. A refusal prints "Error:" instead.
        boolean refused = run.output().lines().anyMatch(l -> l.startsWith("Error:"));
        return parseSimulation(refused ? run.exitCode() : 0, run.output(), targets);
    }

    /**
     * Reads dnf's transaction table: a section title ("Upgrading:", "Installing dependencies:", "Removing:", …)
     * then one indented row per package, "name arch version repository size".
     */
    static Simulation parseSimulation(int exitCode, String output, List<Target> targets) {
        Map<String, Target> byName = new HashMap<>();
        targets.forEach(t -> byName.put(t.name(), t));
        List<String> extras = new ArrayList<>();
        Set<Target> upgraded = new HashSet<>();
        String section = null;
        for (String line : output.split("\n")) {
            if (!line.startsWith(" ") && line.endsWith(":")) {
                section = line.substring(0, line.length() - 1).strip();
                continue;
            }
            if (line.startsWith("Transaction Summary") || line.isBlank()) {
                section = null;
                continue;
            }
            String[] f = line.strip().split("\\s+");
            if (section == null || !line.startsWith(" ") || f.length < 4) {
                continue;
            }
            Target target = byName.get(f[0]);
            boolean asked = target != null
                    && (section.equals("Upgrading") || section.equals("Installing"))
                    && sameVersion(target.version(), f[2]);
            if (asked) {
                upgraded.add(target);
            } else {
                extras.add(section.toLowerCase(java.util.Locale.ROOT) + " " + f[0] + " " + f[2] + " (" + f[1] + ")");
            }
        }
        Map<Target, String> notUpgraded = new LinkedHashMap<>();
        for (Target t : targets) {
            if (!upgraded.contains(t)) {
                String why = output.lines()
                        .filter(l -> l.contains(t.name()) && !l.startsWith(" "))
                        .map(String::strip)
                        .reduce((a, b) -> a + "; " + b)
                        .orElse("dnf would not install it");
                notUpgraded.put(t, why);
            }
        }
        return new Simulation(exitCode, List.copyOf(extras), notUpgraded, output);
    }

    /** dnf's table leaves out a zero epoch; the scan may write it. */
    private static boolean sameVersion(String wanted, String shown) {
        return withoutZeroEpoch(wanted).equals(withoutZeroEpoch(shown));
    }

    private static String withoutZeroEpoch(String v) {
        return v.startsWith("0:") ? v.substring(2) : v;
    }

    @Override
    public int install(List<Target> targets, OutputStream out, OutputStream err)
            throws IOException, InterruptedException {
        return Processes.run(installCommand(targets), ENVIRONMENT, out, err);
    }

    @Override
    public Map<String, String> installedVersions(List<String> names) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of("rpm", "-q", "--queryformat", "%{NAME}\\t%{EPOCH}:%{VERSION}-%{RELEASE}\\n"));
        command.addAll(names);
        Map<String, String> versions = new HashMap<>();
        for (String line : Processes.capture(command, ENVIRONMENT).output().split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 2) {
                versions.put(f[0], withoutZeroEpoch(f[1].replace("(none):", "0:")));
            }
        }
        return versions;
    }
}
