package dev.patchtide.agent.scan.apt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A host in a folder, made with Debian's own tools: real {@code .deb} files built by {@code dpkg-deb}, indexed
 * by {@code dpkg-scanpackages} (or {@code apt-ftparchive}) into a {@code file:} repository with one suite per
 * pocket, a dpkg status file, and apt's lists as {@code apt-get update} itself downloads them. The folder is
 * laid out as the scanner reads a host ({@code etc/apt}, {@code var/lib/dpkg}, {@code var/lib/apt/lists}), and
 * apt is pointed at the same files with {@code -o Dir::…} options, so both judge the same host.
 */
public final class LocalAptRepository {
    private final Path root;
    private final Path repo;
    private final String arch;

    public LocalAptRepository(Path root) throws Exception {
        this.root = root;
        this.repo = root.resolve("srv/repo");
        this.arch = run(List.of(tool("dpkg", "dpkg"), "--print-architecture")).strip();
        for (String dir : List.of(
                "etc/apt/sources.list.d",
                "etc/apt/preferences.d",
                "etc/apt/apt.conf.d",
                "var/lib/dpkg",
                "var/lib/apt/lists/partial",
                "var/cache/apt/archives/partial")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.writeString(root.resolve("var/lib/dpkg/arch-native"), arch + "\n");
        Files.writeString(root.resolve("etc/apt/preferences"), "");
        // apt reads the host's apt.conf.d before any -o option; this file (APT_CONFIG) comes first and sends
        // it to an empty one instead, so the host's hooks and settings stay out of the comparison.
        Files.writeString(
                root.resolve("etc/apt/apt.conf"),
                "Dir::Etc::Parts \"" + root.resolve("etc/apt/apt.conf.d") + "\";\n"
                        + "Dir::Etc::Main \"/dev/null\";\n"
                        + "APT::Sandbox::User \"root\";\n");
    }

    public String arch() {
        return arch;
    }

    /** Builds a {@code .deb} with dpkg-deb into the pool of {@code suite}. */
    public void deb(String suite, String name, String version, String architecture, String priority, String section)
            throws Exception {
        deb(suite, name, version, architecture, priority, section, "");
    }

    /** As above, with a Depends field when {@code depends} is not empty. */
    public void deb(
            String suite,
            String name,
            String version,
            String architecture,
            String priority,
            String section,
            String depends)
            throws Exception {
        Path build = Files.createTempDirectory(root, "build");
        Files.createDirectories(build.resolve("DEBIAN"));
        Files.writeString(
                build.resolve("DEBIAN/control"),
                "Package: " + name + "\nVersion: " + version + "\nArchitecture: " + architecture
                        + "\nMaintainer: Patchtide Tests <tests@example.net>\nPriority: " + priority
                        + "\nSection: " + section + (depends.isEmpty() ? "" : "\nDepends: " + depends)
                        + "\nDescription: fixture package " + name + "\n");
        Path doc = build.resolve("usr/share/doc/" + name);
        Files.createDirectories(doc);
        Files.writeString(doc.resolve("README"), name + " " + version + "\n");
        Path pool = repo.resolve("pool/" + suite);
        Files.createDirectories(pool);
        run(List.of(
                tool("dpkg-deb", "dpkg"),
                "--root-owner-group",
                "-Zgzip",
                "--build",
                build.toString(),
                debFile(suite, name, version, architecture).toString()));
    }

    /** Where {@link #deb} put that package's file. */
    public Path debFile(String suite, String name, String version, String architecture) {
        return repo.resolve(
                "pool/" + suite + "/" + name + "_" + version.replace(':', '%') + "_" + architecture + ".deb");
    }

    /** The folder the fixture host lives in. */
    public Path root() {
        return root;
    }

    /** Indexes the pool of each suite into its Packages file and writes its Release file. */
    public void index(String origin, String... suites) throws Exception {
        for (String suite : suites) {
            Path binary = repo.resolve("dists/" + suite + "/main/binary-" + arch);
            Files.createDirectories(binary);
            String packages = scanPackages("pool/" + suite);
            assertThat(packages).as("index of %s", suite).contains("Package: ");
            Files.writeString(binary.resolve("Packages"), packages);
            byte[] bytes = packages.getBytes(StandardCharsets.UTF_8);
            String sha256 = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            Files.writeString(
                    repo.resolve("dists/" + suite + "/Release"),
                    "Origin: " + origin + "\nLabel: " + origin + "\nSuite: " + suite + "\nCodename: " + suite
                            + "\nDate: Thu, 01 Jan 2026 00:00:00 UTC\nArchitectures: " + arch
                            + "\nComponents: main\nSHA256:\n " + sha256 + " " + bytes.length + " main/binary-" + arch
                            + "/Packages\n");
            Files.writeString(
                    root.resolve("etc/apt/sources.list"),
                    "deb [trusted=yes] file:" + repo + " " + suite + " main\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
    }

    /** dpkg-scanpackages (dpkg-dev), else apt-ftparchive (apt-utils); every version, not only the newest. */
    private String scanPackages(String pool) throws Exception {
        if (onPath("dpkg-scanpackages")) {
            return run(List.of("dpkg-scanpackages", "--multiversion", pool, "/dev/null"));
        }
        if (onPath("apt-ftparchive")) {
            return run(List.of("apt-ftparchive", "packages", pool));
        }
        throw new AssertionError("neither dpkg-scanpackages nor apt-ftparchive is installed: this test builds a"
                + " package index with one of them; install the Debian package dpkg-dev (or apt-utils)");
    }

    public void status(String paragraphs) throws IOException {
        Files.writeString(root.resolve("var/lib/dpkg/status"), paragraphs);
    }

    void pin(String stanza) throws IOException {
        Files.writeString(root.resolve("etc/apt/preferences.d/fixture"), stanza);
    }

    /** {@code apt-get update} against the file: repository, into this host's lists. */
    void update() throws Exception {
        run(apt(tool("apt-get", "apt"), "update"));
        try (var lists = Files.list(root.resolve("var/lib/apt/lists"))) {
            assertThat(lists.map(p -> p.getFileName().toString()))
                    .as("apt-get update stored the indices in the fixture's lists")
                    .anyMatch(n -> n.endsWith("_Packages"));
        }
    }

    /** {@code apt list --upgradable} on this host. */
    String listUpgradable() throws Exception {
        return run(apt(tool("apt", "apt"), "list", "--upgradable"));
    }

    private List<String> apt(String command, String... args) {
        List<String> line = new ArrayList<>(List.of(
                command,
                "-o",
                "Dir::Etc::SourceList=" + root.resolve("etc/apt/sources.list"),
                "-o",
                "Dir::Etc::SourceParts=" + root.resolve("etc/apt/sources.list.d"),
                "-o",
                "Dir::Etc::Preferences=" + root.resolve("etc/apt/preferences"),
                "-o",
                "Dir::Etc::PreferencesParts=" + root.resolve("etc/apt/preferences.d"),
                "-o",
                "Dir::State::Lists=" + root.resolve("var/lib/apt/lists"),
                "-o",
                "Dir::State::status=" + root.resolve("var/lib/dpkg/status"),
                "-o",
                "Dir::State::extended_states=" + root.resolve("var/lib/apt/extended_states"),
                "-o",
                "Dir::Cache=" + root.resolve("var/cache/apt"),
                "-o",
                "APT::Architecture=" + arch,
                "-o",
                "APT::Architectures=" + arch,
                "-o",
                "Acquire::Languages=none",
                "-o",
                "Debug::NoLocking=true"));
        line.addAll(Arrays.asList(args));
        return line;
    }

    /** A tool the test cannot do without: its absence fails the test and names the package to install. */
    public static String tool(String name, String debianPackage) {
        if (!onPath(name)) {
            throw new AssertionError(
                    name + " is not installed: this test runs it; install the Debian package " + debianPackage);
        }
        return name;
    }

    public static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    private String run(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo.toFile());
        Files.createDirectories(repo);
        builder.environment().put("APT_CONFIG", root.resolve("etc/apt/apt.conf").toString());
        builder.environment().put("LC_ALL", "C");
        // dpkg-deb stamps the build time into a .deb: the same package built twice a second apart differs, and
        // apt then keeps the two copies (one per suite) as two versions. A fixed epoch makes the builds identical.
        builder.environment().put("SOURCE_DATE_EPOCH", "1700000000");
        Path err = Files.createTempFile(root, "stderr", ".txt");
        Process process = builder.redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES))
                .as("%s finished", command)
                .isTrue();
        assertThat(process.exitValue())
                .as("%s failed:\n%s%s", String.join(" ", command), out, Files.readString(err))
                .isZero();
        return out;
    }
}
