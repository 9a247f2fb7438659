package dev.patchtide.agent.scan.dnf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An rpm-family host in a folder, made with the real tools: packages built by {@code rpmbuild} (no dependencies,
 * {@code AutoReqProv: no}), repositories indexed by {@code createrepo_c} with an updateinfo added by {@code
 * modifyrepo_c}, configured in the root's {@code /etc/yum.repos.d} with {@code $releasever/$basearch} in the URL,
 * and packages installed by the real {@code dnf --installroot}. The root holds a release package providing {@code
 * system-release(releasever)}, as a RHEL root does, so dnf and Patchtide both find {@code $releasever} in it.
 *
 * <p>rpm keeps the root's database in {@code /var/lib/rpm} as on RHEL: every rpm and dnf call here runs with a
 * {@code HOME} whose {@code .rpmmacros} says so (Debian's rpm would otherwise use {@code ~/.rpmdb}).
 */
public final class LocalRpmRepository {
    public static final String RELEASEVER = "9";

    private final Path dir;
    private final Path root;
    private final Path home;
    private final Path sources;
    private final String basearch;

    public LocalRpmRepository(Path dir) throws Exception {
        for (String[] tool : TOOLS) {
            tool(tool[0], tool[1]);
        }
        this.dir = dir;
        this.root = dir.resolve("root");
        this.home = dir.resolve("home");
        this.sources = dir.resolve("rpms");
        this.basearch = DnfVariables.basearch(DnfVariables.arch(System.getProperty("os.arch")));
        Files.createDirectories(home);
        Files.writeString(home.resolve(".rpmmacros"), "%_dbpath /var/lib/rpm\n");
        Files.createDirectories(root.resolve("etc/yum.repos.d"));
        Files.createDirectories(root.resolve("etc/dnf"));
        Files.createDirectories(sources);
        Files.writeString(root.resolve("etc/dnf/dnf.conf"), "[main]\ngpgcheck=0\ninstallonly_limit=3\n");
        Files.writeString(
                root.resolve("etc/os-release"), "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nVERSION_ID=\"9.4\"\n");
    }

    /** Every tool these tests run, with the Debian package that has it. */
    static final String[][] TOOLS = {
        {"rpm", "rpm"},
        {"rpmbuild", "rpm"},
        {"createrepo_c", "createrepo-c"},
        {"modifyrepo_c", "createrepo-c"},
        {"dnf", "dnf"}
    };

    public Path root() {
        return root;
    }

    /** The HOME that makes rpm and dnf keep the root's database in /var/lib/rpm. */
    public Path home() {
        return home;
    }

    public String basearch() {
        return basearch;
    }

    /** Builds {@code name-version-release.arch.rpm} (epoch 0) into the package folder. */
    public Path rpm(String name, String version, String release, String arch) throws Exception {
        return rpm(name, version, release, arch, List.of());
    }

    /** As above, with extra spec header lines (Provides:, Epoch:). */
    public Path rpm(String name, String version, String release, String arch, List<String> header) throws Exception {
        Path spec = Files.createTempFile(dir, name, ".spec");
        Files.writeString(
                spec,
                "Name: " + name + "\nVersion: " + version + "\nRelease: " + release + "\nSummary: fixture " + name
                        + "\nLicense: MIT\nAutoReqProv: no\n" + String.join("\n", header)
                        + (arch.equals("noarch") ? "\nBuildArch: noarch" : "")
                        + "\n%description\nfixture package " + name + "\n%install\nmkdir -p %{buildroot}/usr/share/doc/"
                        + name + "\necho " + version + "-" + release + " > %{buildroot}/usr/share/doc/" + name
                        + "/README\n%files\n/usr/share/doc/" + name + "/README\n");
        List<String> command = new ArrayList<>(List.of(
                "rpmbuild",
                "-bb",
                "--quiet",
                "--define",
                "_topdir " + dir.resolve("rpmbuild"),
                "--define",
                "_rpmdir " + sources,
                "--define",
                "_build_id_links none"));
        if (!arch.equals("noarch")) {
            command.addAll(List.of("--target", arch));
        }
        command.add(spec.toString());
        run(command);
        Path built = sources.resolve(arch).resolve(name + "-" + version + "-" + release + "." + arch + ".rpm");
        assertThat(built).as("rpmbuild made %s", built).exists();
        return built;
    }

    /** The release package: provides system-release(releasever), as redhat-release does. */
    public Path releasePackage() throws Exception {
        return rpm(
                "pt-release",
                RELEASEVER + ".4",
                "1",
                "noarch",
                List.of("Provides: system-release(releasever) = " + RELEASEVER));
    }

    /**
     * Makes repository {@code id} of {@code packages} with {@code updateinfo} (an {@code <updates>} document, or
     * empty for none), its metadata compressed as {@code compression} says (createrepo_c's {@code
     * --compress-type}: gz, xz, zstd, bz2), at {@code <dir>/repos/<id>/<releasever>/<basearch>}, and configures it
     * in the root with {@code options} (priority=…, excludepkgs=…).
     */
    public Path repository(String id, String compression, String updateinfo, List<Path> packages, String... options)
            throws Exception {
        Path base = dir.resolve("repos").resolve(id);
        Path repo = base.resolve(RELEASEVER).resolve(basearch);
        Files.createDirectories(repo);
        for (Path p : packages) {
            Files.copy(p, repo.resolve(p.getFileName()));
        }
        run(List.of(
                "createrepo_c",
                "--quiet",
                "--no-database",
                "--compress-type",
                compression,
                "--general-compress-type",
                compression,
                repo.toString()));
        if (!updateinfo.isEmpty()) {
            Path xml = dir.resolve(id + "-updateinfo.xml");
            Files.writeString(xml, updateinfo);
            run(List.of(
                    "modifyrepo_c",
                    "--compress-type",
                    compression,
                    "--mdtype",
                    "updateinfo",
                    xml.toString(),
                    repo.resolve("repodata").toString()));
        }
        Files.writeString(
                root.resolve("etc/yum.repos.d/" + id + ".repo"),
                "[" + id + "]\nname=Patchtide test " + id + " $releasever $basearch\nbaseurl=file://" + base
                        + "/$releasever/$basearch/\nenabled=1\ngpgcheck=0\n" + String.join("\n", options) + "\n");
        return repo;
    }

    /**
     * Re-encodes every xz-compressed metadata file of {@code repo} with the real {@code zstd} and rewrites
     * repomd.xml's location, checksum and size for it (the open checksum stays: same content). Debian's
     * createrepo_c (0.17) has no zstd compression type; Fedora's newer one writes exactly this.
     */
    public void recompressWithZstd(Path repo) throws Exception {
        tool("zstd", "zstd");
        Path repodata = repo.resolve("repodata");
        Path repomd = repodata.resolve("repomd.xml");
        String xml = Files.readString(repomd);
        java.util.regex.Matcher data = java.util.regex.Pattern.compile("(?s)<data type=\"([^\"]+)\">.*?</data>")
                .matcher(xml);
        StringBuilder out = new StringBuilder();
        while (data.find()) {
            String block = data.group();
            java.util.regex.Matcher href = java.util.regex.Pattern.compile("href=\"(repodata/[^\"]+\\.xz)\"")
                    .matcher(block);
            if (href.find()) {
                Path xzFile = repo.resolve(href.group(1));
                Path plain = dir.resolve(data.group(1) + ".xml");
                try (var in = new org.tukaani.xz.XZInputStream(Files.newInputStream(xzFile))) {
                    Files.copy(in, plain, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                Path zst = dir.resolve(data.group(1) + ".xml.zst");
                run(List.of("zstd", "-q", "-f", "-19", "-o", zst.toString(), plain.toString()));
                byte[] bytes = Files.readAllBytes(zst);
                String sha = java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(bytes));
                String name = sha + "-" + data.group(1) + ".xml.zst";
                Files.move(zst, repodata.resolve(name));
                Files.delete(xzFile);
                block = block.replaceFirst(
                                "<checksum type=\"sha256\">[0-9a-f]+</checksum>",
                                "<checksum type=\"sha256\">" + sha + "</checksum>")
                        .replace(href.group(1), "repodata/" + name)
                        .replaceFirst("<size>\\d+</size>", "<size>" + bytes.length + "</size>");
            }
            data.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(block));
        }
        data.appendTail(out);
        Files.writeString(repomd, out.toString());
    }

    /** {@code dnf makecache}: the metadata of every enabled repository into the root's cache. */
    public void makecache() throws Exception {
        dnf("makecache");
    }

    /** {@code dnf install} of exact NEVRAs into the root (the first one, the release package, with --releasever). */
    public void install(String... nevras) throws Exception {
        List<String> args = new ArrayList<>(List.of("-y", "install"));
        if (!Files.exists(root.resolve("var/lib/rpm"))) {
            args.addFirst("--releasever=" + RELEASEVER);
        }
        args.addAll(Arrays.asList(nevras));
        dnf(args.toArray(String[]::new));
    }

    /** {@code dnf check-update} in the root: exit code 100 when updates are listed, 0 when none. */
    public String checkUpdate() throws Exception {
        return dnf(List.of(0, 100), "check-update");
    }

    /** {@code dnf updateinfo list} (with {@code --with-cve} for the CVE lines). */
    public String updateinfoList(boolean withCve) throws Exception {
        return withCve ? dnf("updateinfo", "list", "--with-cve") : dnf("updateinfo", "list");
    }

    /** {@code dnf needs-restarting -r} (dnf-plugins-core): exit code 1 when a reboot is needed. */
    public String needsRestarting() throws Exception {
        tool("dnf-needs-restarting-plugin", "dnf-plugins-core");
        return dnf(List.of(0, 1), "needs-restarting", "-r");
    }

    /** {@code rpm -q} of the root's database: NEVRAs as rpm prints them, sorted. */
    public List<String> installed() throws Exception {
        return Arrays.stream(run(List.of(
                                "rpm",
                                "--root",
                                root.toString(),
                                "--dbpath",
                                "/var/lib/rpm",
                                "-qa",
                                "--queryformat",
                                "%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\\n"))
                        .split("\n"))
                .filter(s -> !s.isBlank())
                .sorted()
                .toList();
    }

    public String dnf(String... args) throws Exception {
        return dnf(List.of(0), args);
    }

    private String dnf(List<Integer> ok, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "dnf",
                "--installroot",
                root.toString(),
                // the host's dnf plugins (dnf-plugins-core's "local" repository) stay out of the comparison
                "--disableplugin=local"));
        command.addAll(Arrays.asList(args));
        return run(command, ok);
    }

    /** A tool the test cannot do without: its absence fails the test and names the package to install. */
    public static String tool(String name, String debianPackage) {
        if (name.equals("dnf-needs-restarting-plugin")) {
            if (!Files.exists(Path.of("/usr/lib/python3/dist-packages/dnf-plugins/needs_restarting.py"))) {
                throw new AssertionError("dnf's needs-restarting command is not installed: this test runs it; install"
                        + " the Debian package " + debianPackage);
            }
            return name;
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return name;
            }
        }
        throw new AssertionError(
                name + " is not installed: this test runs it; install the Debian package " + debianPackage);
    }

    private String run(List<String> command) throws Exception {
        return run(command, List.of(0));
    }

    private String run(List<String> command, List<Integer> ok) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("HOME", home.toString());
        builder.environment().put("LC_ALL", "C");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process process = builder.redirectError(err.toFile()).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(3, TimeUnit.MINUTES))
                .as("%s finished", command)
                .isTrue();
        assertThat(ok)
                .as("%s exit code %s:\n%s%s", String.join(" ", command), process.exitValue(), out, read(err))
                .contains(process.exitValue());
        return out;
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file);
    }
}
