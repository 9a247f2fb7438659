package dev.patchtide.agent.install;

import dev.patchtide.agent.scan.rpm.RpmDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * zypper with exact editions: {@code zypper --non-interactive update name.arch=edition …}. {@code update} with a
 * named edition installs exactly that build (from whichever repository has it, priority aside) and, unlike {@code
 * install}, leaves a package that is not installed alone ("Package … is not installed"), as apt's --only-upgrade
 * does; never {@code zypper patch} or an update of everything. The simulation is the same request with {@code
 * --dry-run}, read from zypper's {@code --xmlout} summary (to-upgrade, to-install, to-remove, to-downgrade…).
 *
 * <p>On a tree other than "/" ({@code --root}), rpm's database is the tree's: zypper's rpm runs with a HOME whose
 * .rpmmacros names the database folder the tree has, so the host's own rpm configuration (Debian's is ~/.rpmdb)
 * cannot send it elsewhere.
 */
final class ZypperPackageManager implements PackageManager {
    private final Path root;

    ZypperPackageManager(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private boolean otherRoot() {
        return !root.equals(Path.of("/"));
    }

    private List<String> zypper() {
        List<String> command = new ArrayList<>(List.of("zypper"));
        if (otherRoot()) {
            command.addAll(List.of("--root", root.toString()));
        }
        command.add("--non-interactive");
        return command;
    }

    @Override
    public List<String> installCommand(List<Target> targets) {
        List<String> command = zypper();
        command.add("update");
        targets.forEach(t -> command.add(spec(t)));
        return command;
    }

    List<String> simulateCommand(List<Target> targets) {
        List<String> command = zypper();
        command.addAll(List.of("--xmlout", "update", "--dry-run"));
        targets.forEach(t -> command.add(spec(t)));
        return command;
    }

    /** {@code name.arch=edition}: a package name and exact build, never a capability another package provides. */
    static String spec(Target t) {
        return t.name() + (t.arch().isEmpty() ? "" : "." + t.arch()) + "=" + t.version();
    }

    @Override
    public Simulation simulate(List<Target> targets) throws IOException, InterruptedException {
        Processes.Captured run = withEnvironment(env -> Processes.capture(simulateCommand(targets), env));
        return parseSimulation(run.exitCode(), run.output(), targets);
    }

    /**
     * Reads zypper's XML summary: every solvable of to-upgrade / to-install at a requested name and edition is a
     * requested update; any other change (an install, removal, downgrade, another package's upgrade) is an extra. A
     * request with no such line was not going to happen, and zypper's messages naming it say why.
     */
    static Simulation parseSimulation(int exitCode, String output, List<Target> targets) {
        int start = output.indexOf("<stream");
        String xml = start < 0 ? "<stream/>" : output.substring(start);
        Set<Target> upgraded = new HashSet<>();
        List<String> extras = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        Map<String, Target> byName = new HashMap<>();
        targets.forEach(t -> byName.put(t.name(), t));
        try {
            XMLInputFactory factory = XMLInputFactory.newFactory();
            factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
            XMLStreamReader r = factory.createXMLStreamReader(
                    new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "UTF-8");
            String section = null;
            while (r.hasNext()) {
                int event = r.next();
                if (event != XMLStreamConstants.START_ELEMENT) {
                    continue;
                }
                String element = r.getLocalName();
                if (element.startsWith("to-")) {
                    section = element.substring(3);
                } else if (element.equals("message")) {
                    messages.add(r.getElementText().strip());
                } else if (element.equals("solvable") && section != null) {
                    String name = r.getAttributeValue(null, "name");
                    String edition = r.getAttributeValue(null, "edition");
                    String arch = r.getAttributeValue(null, "arch");
                    String old = r.getAttributeValue(null, "edition-old");
                    Target t = byName.get(name);
                    boolean asked = t != null
                            && section.equals("upgrade")
                            && sameEdition(t.version(), edition)
                            && (t.arch().isEmpty() || t.arch().equals(arch));
                    if (asked) {
                        upgraded.add(t);
                    } else {
                        extras.add(section + " " + name + " " + (old == null ? "" : old + " -> ") + edition + " ("
                                + arch + ")");
                    }
                }
            }
        } catch (XMLStreamException e) {
            messages.add("zypper's output could not be read: " + e.getMessage());
        }
        Map<Target, String> notUpgraded = new LinkedHashMap<>();
        for (Target t : targets) {
            if (!upgraded.contains(t)) {
                String why = messages.stream()
                        .filter(m -> m.contains(t.name()))
                        .reduce((a, b) -> a + "; " + b)
                        .orElse("zypper would not update it");
                notUpgraded.put(t, why);
            }
        }
        return new Simulation(exitCode, List.copyOf(extras), notUpgraded, output);
    }

    /** zypper prints an edition without a zero epoch; the plan may carry one. */
    private static boolean sameEdition(String wanted, String shown) {
        return withoutZeroEpoch(wanted).equals(withoutZeroEpoch(shown));
    }

    private static String withoutZeroEpoch(String v) {
        return v != null && v.startsWith("0:") ? v.substring(2) : v;
    }

    @Override
    public int install(List<Target> targets, OutputStream out, OutputStream err)
            throws IOException, InterruptedException {
        return withEnvironment(env -> Processes.run(installCommand(targets), env, out, err));
    }

    @Override
    public Map<String, String> installedVersions(List<String> names) throws IOException, InterruptedException {
        RpmDatabase db = RpmDatabase.of(root).orElseThrow(() -> new IOException("no rpm database under " + root));
        List<String> command = new ArrayList<>(db.rpmCommand());
        command.addAll(List.of("-q", "--queryformat", "%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n"));
        command.addAll(names);
        Map<String, String> versions = new HashMap<>();
        // rpm exits 1 when a name is not installed; the others are still printed
        for (String line :
                Processes.capture(command, Map.of("LC_ALL", "C")).output().split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 2) {
                versions.put(f[0], withoutZeroEpoch(f[1]));
            }
        }
        return versions;
    }

    private interface WithEnvironment<T> {
        T run(Map<String, String> env) throws IOException, InterruptedException;
    }

    /** Runs {@code call} with zypper's environment; for another root, a HOME naming that root's rpm database. */
    private <T> T withEnvironment(WithEnvironment<T> call) throws IOException, InterruptedException {
        if (!otherRoot()) {
            return call.run(Map.of("LC_ALL", "C"));
        }
        RpmDatabase db = RpmDatabase.of(root).orElseThrow(() -> new IOException("no rpm database under " + root));
        Path home = Files.createTempDirectory("patchtide-zypper-");
        try {
            Files.writeString(home.resolve(".rpmmacros"), "%_dbpath " + db.dbPath() + "\n");
            return call.run(Map.of("LC_ALL", "C", "HOME", home.toString()));
        } finally {
            try (Stream<Path> files = Files.walk(home)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
