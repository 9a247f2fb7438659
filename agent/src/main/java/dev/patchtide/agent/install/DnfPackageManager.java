package dev.patchtide.agent.install;

import dev.patchtide.agent.scan.dnf.DnfConfig;
import dev.patchtide.agent.scan.rpm.RpmDatabase;
import dev.patchtide.core.version.InvalidVersionException;
import dev.patchtide.core.version.RpmVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * dnf with exact NEVRAs: {@code dnf install -y name-[epoch:]version-release.arch …} (never {@code dnf upgrade}
 * of everything, nor {@code upgrade-minimal}); the simulation is the same request answered "no"
 * ({@code --assumeno}), whose transaction table lists every package it would touch.
 *
 * <p>On a host tree other than "/" (the agent's configured root: a mounted image, a test's install root) dnf runs
 * with {@code --installroot} and the tree's {@code $releasever}, and rpm is told where the tree keeps its database:
 * dnf has no option for it, so a private {@code HOME} holds an {@code .rpmmacros} naming it (rpm reads that file
 * last), or the rpm under dnf would use its own default, which need not be the tree's (Debian's is ~/.rpmdb).
 */
final class DnfPackageManager implements PackageManager {
    static final Map<String, String> ENVIRONMENT = Map.of("LC_ALL", "C");

    private final Path root;
    private final Optional<RpmDatabase> db;
    private final Optional<String> releasever;

    /** dnf of this host ("/"). */
    DnfPackageManager() {
        this(Path.of("/"), Optional.empty(), Optional.empty());
    }

    DnfPackageManager(Path root, Optional<RpmDatabase> db, Optional<String> releasever) {
        this.root = root;
        this.db = db;
        this.releasever = releasever;
    }

    /** dnf of the tree at {@code root}, its database and {@code $releasever} as the scan finds them. */
    static DnfPackageManager of(Path root) {
        if (isHost(root)) {
            return new DnfPackageManager();
        }
        Optional<RpmDatabase> db = RpmDatabase.of(root);
        try {
            return new DnfPackageManager(root, db, DnfConfig.read(root, db).releaseVersion());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dnf's configuration under " + root + ": " + e.getMessage(), e);
        }
    }

    private static boolean isHost(Path root) {
        return root.toAbsolutePath().normalize().equals(Path.of("/"));
    }

    private List<String> dnf() {
        List<String> command = new ArrayList<>(List.of("dnf"));
        if (!isHost(root)) {
            command.addAll(List.of("--installroot", root.toAbsolutePath().toString()));
            releasever.ifPresent(r -> command.add("--releasever=" + r));
            // dnf-plugins-core's "local" plugin keeps a repository of what this host installed: the host's, not the
            // tree's. Enabled by default and its folder absent until the host's first transaction, it fails dnf's
            // metadata step and with it the simulation.
            command.add("--disableplugin=local");
        }
        return command;
    }

    @Override
    public List<String> installCommand(List<Target> targets) {
        List<String> command = dnf();
        command.addAll(List.of("install", "-y"));
        targets.forEach(t -> command.add(nevra(t)));
        return command;
    }

    List<String> simulateCommand(List<Target> targets) {
        List<String> command = dnf();
        command.addAll(List.of("install", "--assumeno"));
        targets.forEach(t -> command.add(nevra(t)));
        return command;
    }

    /** name-[epoch:]version-release.arch, the version as the scan reported it ([epoch:]version-release). */
    static String nevra(Target t) {
        return t.name() + "-" + t.version() + (t.arch().isEmpty() ? "" : "." + t.arch());
    }

    @Override
    public Simulation simulate(List<Target> targets) throws IOException, InterruptedException {
        Processes.Captured run;
        try (RpmHome home = RpmHome.of(root, db)) {
            run = Processes.capture(simulateCommand(targets), home.environment(ENVIRONMENT));
        }
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
        // name.arch: multilib asks for the same name twice (x86_64 and i686)
        Map<String, Target> byKey = new HashMap<>();
        targets.forEach(t -> byKey.put(t.name() + "." + t.arch(), t));
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
            Target target = byKey.getOrDefault(f[0] + "." + f[1], byKey.get(f[0] + "."));
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
        try (RpmHome home = RpmHome.of(root, db)) {
            return Processes.run(installCommand(targets), home.environment(ENVIRONMENT), out, err);
        }
    }

    /**
     * The installed version of each name ([epoch:]version-release, a zero epoch left out as the scan writes it);
     * of a name installed for several architectures (multilib, installonly kernels), the newest.
     */
    @Override
    public Map<String, String> installedVersions(List<String> names) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                db.isPresent()
                        ? db.get().rpmCommand()
                        : List.of("rpm", "--root", root.toAbsolutePath().toString()));
        command.addAll(List.of("-q", "--queryformat", "%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n"));
        command.addAll(names);
        Map<String, String> versions = new HashMap<>();
        // rpm -q exits 1 when a name is not installed; the others are still listed.
        for (String line : Processes.capture(command, ENVIRONMENT).output().split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 2 && names.contains(f[0])) {
                versions.merge(f[0], withoutZeroEpoch(f[1]), DnfPackageManager::newer);
            }
        }
        return versions;
    }

    private static String newer(String a, String b) {
        try {
            return RpmVersion.compare(a, b) >= 0 ? a : b;
        } catch (InvalidVersionException e) {
            return a;
        }
    }
}
