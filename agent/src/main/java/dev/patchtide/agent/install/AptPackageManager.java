package dev.patchtide.agent.install;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * apt with exact versions: {@code apt-get install --only-upgrade -y name:arch=version …}, never a blanket
 * upgrade. {@code --only-upgrade} makes apt skip (not install) a requested package that is not installed;
 * {@code --force-confold} keeps the host's changed configuration files, as an unattended upgrade must; the
 * lock timeout waits for another apt or dpkg (unattended-upgrades) instead of failing at once.
 */
final class AptPackageManager implements PackageManager {
    /** What the install runs with: no question asked on a terminal nobody watches. */
    static final Map<String, String> ENVIRONMENT = Map.of("DEBIAN_FRONTEND", "noninteractive", "LC_ALL", "C");

    private final List<String> options;

    /** @param options extra {@code -o} settings for every apt-get call (tests point apt at their repository) */
    AptPackageManager(List<String> options) {
        this.options = List.copyOf(options);
    }

    @Override
    public List<String> installCommand(List<Target> targets) {
        List<String> command = new ArrayList<>(List.of(
                "apt-get",
                "install",
                "--only-upgrade",
                "-y",
                "-o",
                "Dpkg::Options::=--force-confold",
                "-o",
                "DPkg::Lock::Timeout=300"));
        command.addAll(options);
        targets.forEach(t -> command.add(spec(t)));
        return command;
    }

    /** The same request, simulated ({@code -s}): apt prints each change as Inst, Remv or Conf, and does none. */
    List<String> simulateCommand(List<Target> targets) {
        List<String> command = new ArrayList<>(installCommand(targets));
        command.add(2, "-s");
        return command;
    }

    /** {@code name:arch=version}; packages of architecture "all" take no qualifier. */
    static String spec(Target t) {
        boolean qualified = !t.arch().isEmpty() && !t.arch().equals("all");
        return t.name() + (qualified ? ":" + t.arch() : "") + "=" + t.version();
    }

    @Override
    public Simulation simulate(List<Target> targets) throws IOException, InterruptedException {
        Processes.Captured run = Processes.capture(simulateCommand(targets), ENVIRONMENT);
        return parseSimulation(run.exitCode(), run.output(), targets);
    }

    /**
     * Reads {@code apt-get -s}: "Inst name [old] (new suite [arch])" for an install or upgrade, "Remv name [old]"
     * for a removal. A change to a package not requested is an extra; a requested update with no Inst line at
     * its version was not going to happen, and the lines of apt's output that name the package say why.
     */
    static Simulation parseSimulation(int exitCode, String output, List<Target> targets) {
        Map<String, Target> byName = new HashMap<>();
        targets.forEach(t -> byName.put(t.name(), t));
        List<String> extras = new ArrayList<>();
        Set<Target> upgraded = new java.util.HashSet<>();
        for (String line : output.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 2 || !(f[0].equals("Inst") || f[0].equals("Remv"))) {
                continue;
            }
            String name = f[1].contains(":") ? f[1].substring(0, f[1].indexOf(':')) : f[1];
            String old = f.length > 2 && f[2].startsWith("[") ? f[2].substring(1, f[2].length() - 1) : null;
            String newVersion = newVersion(f);
            Target target = byName.get(name);
            if (f[0].equals("Inst") && target != null && target.version().equals(newVersion)) {
                upgraded.add(target);
            } else if (f[0].equals("Remv")) {
                extras.add("remove " + name + (old == null ? "" : " " + old));
            } else if (old == null) {
                extras.add("install " + name + " " + newVersion + " (new package)");
            } else {
                extras.add("upgrade " + name + " " + old + " -> " + newVersion);
            }
        }
        Map<Target, String> notUpgraded = new LinkedHashMap<>();
        for (Target t : targets) {
            if (!upgraded.contains(t)) {
                String why = output.lines()
                        .filter(l -> !l.startsWith("Inst ") && !l.startsWith("Conf ") && !l.startsWith("Remv "))
                        .filter(l -> mentions(l, t.name()))
                        .map(String::strip)
                        .collect(Collectors.joining("; "));
                notUpgraded.put(t, why.isEmpty() ? "apt-get would not upgrade it" : why);
            }
        }
        return new Simulation(exitCode, List.copyOf(extras), notUpgraded, output);
    }

    /** The version in "(version suite [arch])" of an Inst line. */
    private static String newVersion(String[] f) {
        for (int i = 2; i < f.length; i++) {
            if (f[i].startsWith("(")) {
                return f[i].substring(1);
            }
        }
        return "";
    }

    /** Whether apt's line names the package as a word (not as part of a longer name). */
    private static boolean mentions(String line, String name) {
        for (int at = line.indexOf(name); at >= 0; at = line.indexOf(name, at + 1)) {
            int end = at + name.length();
            boolean startOk = at == 0 || !isNameChar(line.charAt(at - 1));
            boolean endOk = end == line.length() || !isNameChar(line.charAt(end));
            if (startOk && endOk) {
                return true;
            }
        }
        return false;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '-' || c == '+' || c == '.';
    }

    @Override
    public int install(List<Target> targets, OutputStream out, OutputStream err)
            throws IOException, InterruptedException {
        return Processes.run(installCommand(targets), ENVIRONMENT, out, err);
    }

    @Override
    public Map<String, String> installedVersions(List<String> names) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of("dpkg-query", "-W", "--showformat=${Package}\\t${db:Status-Status}\\t${Version}\\n"));
        command.addAll(names);
        Map<String, String> versions = new HashMap<>();
        // dpkg-query exits 1 when a name is unknown; the others are still listed.
        for (String line : Processes.capture(command, ENVIRONMENT).output().split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 3 && f[1].equals("installed")) {
                String name = f[0].contains(":") ? f[0].substring(0, f[0].indexOf(':')) : f[0];
                versions.put(name, f[2]);
            }
        }
        return versions;
    }
}
