package dev.patchtide.agent.scan.zypper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An install root that the real zypper manages, for tests: RPMs built by {@code rpmbuild} (no dependencies),
 * repositories made by {@code createrepo_c} with patches added by {@code modifyrepo_c}, added to the root and
 * refreshed by {@code zypper --root}. Debian's rpm keeps its database in ~/.rpmdb; every rpm and zypper run here
 * gets a HOME whose .rpmmacros puts it at the root's /var/lib/rpm, where a SUSE host has it.
 */
public final class ZypperTestRoot {
    public static final List<String> TOOLS = List.of("rpm", "rpmbuild", "createrepo_c", "modifyrepo_c", "zypper");

    private final Path dir;
    private final Path root;
    private final Path home;
    private final Map<String, List<String>> patches = new LinkedHashMap<>();

    private ZypperTestRoot(Path dir) throws IOException {
        this.dir = dir;
        this.root = Files.createDirectories(dir.resolve("root"));
        this.home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".rpmmacros"), "%_dbpath /var/lib/rpm\n");
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(
                root.resolve("etc/os-release"),
                """
                NAME="SLES"
                VERSION="15-SP5"
                VERSION_ID="15.5"
                PRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"
                ID="sles"
                ID_LIKE="suse"
                ANSI_COLOR="0;32"
                CPE_NAME="cpe:/o:suse:sles:15:sp5"
                """);
    }

    /** Fails (never skips) naming every tool this machine lacks: {@code .ci/run} installs them. */
    public static ZypperTestRoot create(Path dir) throws IOException {
        List<String> missing = missingTools();
        if (!missing.isEmpty()) {
            // Debian's dnf-plugins-core Breaks zypper (both ship needs-restarting): beside it, zypper's .deb
            // is unpacked rather than installed
            throw new AssertionError("the zypper tests need " + String.join(", ", missing)
                    + " on this machine: apt-get install rpm createrepo-c zypper, or where dnf-plugins-core is"
                    + " installed: apt-get download zypper && dpkg-deb -x zypper_*.deb /opt/patchtide-zypper"
                    + " && ln -s /opt/patchtide-zypper/usr/bin/zypper /usr/local/bin/zypper");
        }
        return new ZypperTestRoot(dir);
    }

    public static List<String> missingTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : TOOLS) {
            boolean found = false;
            for (String d :
                    System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
                found |= !d.isEmpty() && Files.isExecutable(Path.of(d, tool));
            }
            if (!found) {
                missing.add(tool);
            }
        }
        return missing;
    }

    public Path root() {
        return root;
    }

    /** What rpm and zypper run with here: the HOME whose .rpmmacros names the root's database. */
    public Map<String, String> environment() {
        return Map.of("HOME", home.toString(), "LC_ALL", "C");
    }

    /** Builds {@code name-version-1.arch} (no dependencies) into the repository folder {@code repo}. */
    public Path rpm(String repo, String name, String version, String vendor, String arch) throws IOException {
        Path top = dir.resolve("rpmbuild");
        Path spec = Files.createDirectories(dir.resolve("specs")).resolve(name + "-" + version + "-" + arch + ".spec");
        Files.writeString(
                spec,
                "Name: " + name + "\nVersion: " + version + "\nRelease: 1\nSummary: Patchtide test package\n"
                        + "License: MIT\nBuildArch: " + arch + "\nAutoReqProv: no\n"
                        + (vendor.isEmpty() ? "" : "Vendor: " + vendor + "\n")
                        + "%description\nA package of Patchtide's zypper tests.\n"
                        + "%install\nmkdir -p %{buildroot}/usr/share/" + name + "\n"
                        + "echo " + version + " > %{buildroot}/usr/share/" + name + "/version\n"
                        + "%files\n/usr/share/" + name + "/version\n");
        run(List.of(
                "rpmbuild",
                "--define",
                "_topdir " + top,
                "--define",
                "_build_id_links none",
                "--target",
                arch,
                "-bb",
                spec.toString()));
        String file = name + "-" + version + "-1." + arch + ".rpm";
        Path target =
                Files.createDirectories(dir.resolve("repos").resolve(repo)).resolve(file);
        Files.copy(top.resolve("RPMS").resolve(arch).resolve(file), target);
        return target;
    }

    /** A patch of repository {@code repo} (its updateinfo), carrying {@code name-version-1.arch}. */
    public void patch(
            String repo,
            String id,
            String category,
            String severity,
            long issued,
            List<String> cves,
            String name,
            String version,
            String arch) {
        StringBuilder refs = new StringBuilder();
        for (String cve : cves) {
            refs.append("<reference href=\"https://www.suse.com/security/cve/")
                    .append(cve)
                    .append("/\" id=\"")
                    .append(cve)
                    .append("\" title=\"")
                    .append(cve)
                    .append("\" type=\"cve\"/>");
        }
        patches.computeIfAbsent(repo, k -> new ArrayList<>())
                .add("<update from=\"maint-coord@suse.de\" status=\"stable\" type=\"" + category
                        + "\" version=\"1\"><id>" + id + "</id><title>Update for " + name + "</title>"
                        + (severity.isEmpty() ? "" : "<severity>" + severity + "</severity>")
                        + "<release>SUSE Updates SLE-Module-Basesystem 15-SP5</release><issued date=\"" + issued
                        + "\"/><references>" + refs + "</references><description>Patchtide test patch.</description>"
                        + "<pkglist><collection><package name=\"" + name + "\" epoch=\"0\" version=\"" + version
                        + "\" release=\"1\" arch=\"" + arch + "\" src=\"" + name + "-" + version + "-1.src.rpm\">"
                        + "<filename>" + name + "-" + version + "-1." + arch + ".rpm</filename></package>"
                        + "</collection></pkglist></update>");
    }

    /** Indexes {@code repo} (and its patches) and adds it to the root with this priority, then refreshes. */
    public void publish(String repo, int priority) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("repos").resolve(repo));
        run(List.of("createrepo_c", "-q", folder.toString()));
        List<String> updates = patches.getOrDefault(repo, List.of());
        if (!updates.isEmpty()) {
            // modifyrepo_c names the metadata type after the file: it must be updateinfo.xml
            Path updateinfo = Files.createDirectories(dir.resolve("updateinfo").resolve(repo))
                    .resolve("updateinfo.xml");
            Files.writeString(
                    updateinfo,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<updates>\n" + String.join("\n", updates)
                            + "\n</updates>\n");
            run(List.of(
                    "modifyrepo_c",
                    updateinfo.toString(),
                    folder.resolve("repodata").toString()));
        }
        // unsigned test packages: the repository says so itself, so the agent's zypper runs without --no-gpg-checks
        zypper(
                "addrepo",
                "--no-gpgcheck",
                "--priority",
                String.valueOf(priority),
                folder.toUri().toString(),
                repo);
        zypper("refresh");
    }

    /** Installs exactly these builds ({@code name-version-release.arch}) with zypper. */
    public void install(String... builds) throws IOException {
        List<String> args = new ArrayList<>(List.of("install", "--oldpackage"));
        args.addAll(List.of(builds));
        zypper(args.toArray(String[]::new));
    }

    /** Runs {@code zypper --root ROOT --non-interactive --no-gpg-checks ARGS}; fails on a non-zero exit. */
    public String zypper(String... args) throws IOException {
        List<String> command =
                new ArrayList<>(List.of("zypper", "--root", root.toString(), "--non-interactive", "--no-gpg-checks"));
        command.addAll(List.of(args));
        return run(command);
    }

    /** {@code rpm -q} on the root: the installed edition of {@code name}, or rpm's "not installed" line. */
    public String installed(String name) throws IOException {
        return run(List.of("rpm", "--root", root.toString(), "-q", "--qf", "%{VERSION}-%{RELEASE}", name))
                .strip();
    }

    private String run(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment());
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command, e);
        }
        return out;
    }
}
