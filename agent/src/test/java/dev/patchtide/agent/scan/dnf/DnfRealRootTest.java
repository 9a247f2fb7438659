package dev.patchtide.agent.scan.dnf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.agent.scan.PatchReport;
import dev.patchtide.agent.scan.rpm.InstalledRpm;
import dev.patchtide.agent.scan.rpm.RpmDatabase;
import dev.patchtide.agent.scan.rpm.RpmPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's first and fourth proofs: packages built with rpmbuild, repositories made with createrepo_c (an
 * updateinfo added with modifyrepo_c), v1 installed into an install root by the real dnf; Patchtide's scan of the
 * root equals {@code dnf check-update} and {@code dnf updateinfo list} there, field by field, with xz- and with
 * zstd-compressed metadata alike (the zstd twin re-encoded by the real zstd, as Debian's createrepo_c 0.17 has no
 * zstd type; dnf reads it, checksums checked, into its cache like any other). Also covered against dnf itself: multilib (x86_64 and i686 both installed), a
 * repository's {@code excludepkgs}, a better {@code priority} that wins over a newer build, and {@code $releasever}
 * / {@code $basearch} in the baseurl. A missing tool fails the test naming its Debian package.
 */
class DnfRealRootTest {
    static final String SECURITY =
            """
            <update from="tests@example.net" status="final" type="security" version="1">
              <id>PT-2026:0001</id><title>pt-openssl security update</title>
              <severity>Important</severity>
              <issued date="2026-01-15 00:00:00"/><updated date="2026-01-16 00:00:00"/>
              <references>
                <reference href="https://example.net/CVE-2026-1234" id="CVE-2026-1234" type="cve" title="CVE-2026-1234"/>
                <reference href="https://example.net/b/1" id="1" type="bugzilla" title="bug"/>
              </references>
              <description>fixes CVE-2026-1234</description>
              <pkglist><collection short="pt"><name>pt</name>
                <package name="pt-openssl" version="2.0" release="1" epoch="0" arch="x86_64" src="pt-openssl-2.0-1.src.rpm">
                  <filename>pt-openssl-2.0-1.x86_64.rpm</filename></package>
                <package name="pt-openssl" version="2.0" release="1" epoch="0" arch="i686" src="pt-openssl-2.0-1.src.rpm">
                  <filename>pt-openssl-2.0-1.i686.rpm</filename></package>
              </collection></pkglist>
            </update>
            """;
    static final String BUGFIX =
            """
            <update from="tests@example.net" status="final" type="bugfix" version="1">
              <id>PT-2026:0002</id><title>pt-tools bug fix</title>
              <issued date="2026-01-20 00:00:00"/>
              <references/>
              <description>fixes a crash</description>
              <pkglist><collection short="pt"><name>pt</name>
                <package name="pt-tools" version="1.1" release="1" epoch="0" arch="x86_64" src="pt-tools-1.1-1.src.rpm">
                  <filename>pt-tools-1.1-1.x86_64.rpm</filename></package>
              </collection></pkglist>
            </update>
            """;

    @TempDir
    static Path dir;

    static Map<String, Path> rpms = new java.util.HashMap<>();

    @BeforeAll
    static void packages() throws Exception {
        LocalRpmRepository builder = new LocalRpmRepository(dir.resolve("build"));
        rpms.put("release", builder.releasePackage());
        for (String arch : List.of("x86_64", "i686")) {
            rpms.put("openssl-1-" + arch, builder.rpm("pt-openssl", "1.0", "1", arch));
            rpms.put("openssl-2-" + arch, builder.rpm("pt-openssl", "2.0", "1", arch));
        }
        rpms.put("tools-1", builder.rpm("pt-tools", "1.0", "1", "x86_64"));
        rpms.put("tools-1.1", builder.rpm("pt-tools", "1.1", "1", "x86_64"));
        rpms.put("pinned-1", builder.rpm("pt-pinned", "1.0", "1", "x86_64"));
        rpms.put("pinned-2", builder.rpm("pt-pinned", "2.0", "1", "x86_64"));
        rpms.put("prio-1", builder.rpm("pt-prio", "1.0", "1", "x86_64"));
        rpms.put("prio-2", builder.rpm("pt-prio", "2.0", "1", "x86_64"));
        rpms.put("prio-3", builder.rpm("pt-prio", "3.0", "1", "x86_64"));
        rpms.put("epoch-1", builder.rpm("pt-epoch", "5.0", "1", "noarch", List.of("Epoch: 1")));
        rpms.put("epoch-2", builder.rpm("pt-epoch", "4.0", "1", "noarch", List.of("Epoch: 2")));
        // A stand-in named like a core package, for needs-restarting (installed only into a test root).
        rpms.put("glibc", builder.rpm("glibc", "2.34", "100.pt", "x86_64"));
    }

    /** A root with v1 of everything installed, the repositories' metadata compressed as {@code compression} says. */
    static LocalRpmRepository host(String compression) throws Exception {
        LocalRpmRepository host = new LocalRpmRepository(Files.createDirectories(dir.resolve(compression)));
        String made = compression.equals("zstd") ? "xz" : compression;
        Path base = host.repository(
                "pt-base",
                made,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<updates>\n" + SECURITY + BUGFIX + "</updates>\n",
                rpms.values().stream()
                        .filter(p -> !p.getFileName().toString().startsWith("pt-prio-2"))
                        .toList(),
                "excludepkgs=pt-pin*");
        // Priority 10 beats the base repository's 99: its older pt-prio is the update dnf offers, not 3.0.
        Path extra = host.repository("pt-extra", made, "", List.of(rpms.get("prio-2")), "priority=10");
        if (compression.equals("zstd")) {
            host.recompressWithZstd(base);
            host.recompressWithZstd(extra);
        }
        host.install(rpms.get("release").toString());
        host.install(
                "pt-openssl-1.0-1.x86_64",
                "pt-openssl-1.0-1.i686",
                "pt-tools-1.0-1.x86_64",
                "pt-prio-1.0-1.x86_64",
                "pt-epoch-1:5.0-1.noarch",
                rpms.get("pinned-1").toString());
        host.makecache();
        return host;
    }

    @Test
    void scanOfTheRootEqualsDnfCheckUpdateAndUpdateinfoWithXzAndZstdMetadata() throws Exception {
        LocalRpmRepository xz = host("xz");
        LocalRpmRepository zstd = host("zstd");
        assertThat(repodata(zstd))
                .anyMatch(n -> n.endsWith("primary.xml.zst"))
                .anyMatch(n -> n.endsWith("updateinfo.xml.zst"));
        assertThat(repodata(xz)).anyMatch(n -> n.endsWith("primary.xml.xz")).noneMatch(n -> n.endsWith(".zst"));

        List<DnfUpdate> fromXz = scan(xz);
        List<DnfUpdate> fromZstd = scan(zstd);

        for (LocalRpmRepository host : List.of(xz, zstd)) {
            List<DnfUpdate> ours = host == xz ? fromXz : fromZstd;
            assertThat(lines(ours)).as("check-update").isEqualTo(checkUpdate(host.checkUpdate()));
            assertThat(advisoryLines(ours, false))
                    .as("updateinfo list")
                    .isEqualTo(updateinfo(host.updateinfoList(false)));
            assertThat(advisoryLines(ours, true))
                    .as("updateinfo list --with-cve")
                    .isEqualTo(updateinfo(host.updateinfoList(true)));
        }
        assertThat(fromZstd).as("zstd scans like its xz twin").isEqualTo(fromXz);
        assertThat(lines(fromXz))
                .as("what dnf offers here, multilib and priority included; pt-pinned excluded")
                .containsExactly(
                        "pt-epoch.noarch 2:4.0-1 pt-base",
                        "pt-openssl.i686 2.0-1 pt-base",
                        "pt-openssl.x86_64 2.0-1 pt-base",
                        "pt-prio.x86_64 2.0-1 pt-extra",
                        "pt-tools.x86_64 1.1-1 pt-base");

        // The agent's report of the same root carries the same classification, severity and CVEs.
        Map<String, Object> report = PatchReport.scan(zstd.root(), "mi-0123456789abcdef0");
        assertThat(report.get("OperatingSystem")).isEqualTo("REDHAT_ENTERPRISE_LINUX");
        List<String> reported = new ArrayList<>();
        for (Object o : (List<?>) report.get("Patches")) {
            Map<?, ?> p = (Map<?, ?>) o;
            reported.add(p.get("Name") + "." + p.get("Arch") + " " + p.get("AvailableVersion") + " "
                    + p.get("Classification") + " " + p.get("Severity") + " " + p.get("CVEIds"));
        }
        assertThat(reported)
                .containsExactlyInAnyOrder(
                        "pt-epoch.noarch 2:4.0-1 Unspecified  []",
                        "pt-openssl.i686 2.0-1 Security Important [CVE-2026-1234]",
                        "pt-openssl.x86_64 2.0-1 Security Important [CVE-2026-1234]",
                        "pt-prio.x86_64 2.0-1 Unspecified  []",
                        "pt-tools.x86_64 1.1-1 Bugfix  []");
        assertThat(report.get("InstalledCount")).isEqualTo(7);
    }

    /** The reboot need equals {@code dnf needs-restarting -r}'s: the core list and the root's .conf files. */
    @Test
    void rebootNeedEqualsDnfNeedsRestarting() throws Exception {
        LocalRpmRepository host = new LocalRpmRepository(Files.createDirectories(dir.resolve("reboot")));
        host.repository("pt-core", "gz", "", List.of(rpms.get("glibc"), rpms.get("tools-1"), rpms.get("prio-1")));
        host.install(rpms.get("release").toString());
        host.install("pt-tools-1.0-1.x86_64", "pt-prio-1.0-1.x86_64");
        Files.createDirectories(host.root().resolve(NeedsRestarting.CONF_DIR));
        Files.writeString(host.root().resolve(NeedsRestarting.CONF_DIR + "/site.conf"), "pt-tools\n");
        assertThat(needsRestarting(host.needsRestarting())).containsExactly("pt-tools");
        assertThat(ours(host)).containsExactly("pt-tools");

        host.install("glibc-2.34-100.pt.x86_64");
        assertThat(needsRestarting(host.needsRestarting())).containsExactly("glibc", "pt-tools");
        assertThat(ours(host)).containsExactly("glibc", "pt-tools");
        var status = new dev.patchtide.agent.scan.RebootCheck(host.root()).check();
        assertThat(status.required()).isTrue();
        assertThat(status.packages()).contains("glibc", "pt-tools");
    }

    static List<String> ours(LocalRpmRepository host) throws Exception {
        return NeedsRestarting.packages(
                host.root(),
                RpmDatabase.of(host.root()).orElseThrow().installed(),
                NeedsRestarting.bootTime(host.root()));
    }

    /** The "  * name" lines of needs-restarting -r; none when it says no reboot is needed. */
    static List<String> needsRestarting(String output) {
        return output.lines()
                .filter(l -> l.startsWith("  * "))
                .map(l -> l.substring(4).strip())
                .toList();
    }

    static List<String> repodata(LocalRpmRepository host) throws Exception {
        try (Stream<Path> files = Files.walk(host.root().resolve("var/cache/dnf"))) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    static List<DnfUpdate> scan(LocalRpmRepository host) throws Exception {
        List<RpmPackage> installed = RpmDatabase.of(host.root()).orElseThrow().installed().stream()
                .map(InstalledRpm::pkg)
                .toList();
        assertThat(installed).extracting(RpmPackage::name).contains("pt-release", "pt-openssl", "pt-tools");
        return new DnfScanner().scan(host.root(), installed);
    }

    /** "name.arch version repository" of each update, sorted. */
    static List<String> lines(List<DnfUpdate> updates) {
        return updates.stream()
                .map(u -> u.name() + "." + u.arch() + " " + u.available() + " " + u.repository())
                .sorted()
                .toList();
    }

    /** dnf check-update's table: "name.arch version repository" rows after the metadata line. */
    static List<String> checkUpdate(String output) {
        Set<String> rows = new TreeSet<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("Obsoleting")) {
                break;
            }
            String[] f = line.strip().split("\\s+");
            if (f.length == 3 && f[0].contains(".") && !line.startsWith("Last metadata")) {
                rows.add(String.join(" ", f));
            }
        }
        return List.copyOf(rows);
    }

    /**
     * Our updates as {@code dnf updateinfo list} rows: "advisory-or-CVE type nevra", the type column as dnf prints
     * it (Important/Sec. for security advisories, bugfix, enhancement).
     */
    static List<String> advisoryLines(List<DnfUpdate> updates, boolean cves) {
        Set<String> rows = new TreeSet<>();
        for (DnfUpdate u : updates) {
            String type =
                    switch (u.classification()) {
                        case "Security" -> (u.severity().isEmpty() ? "Unknown" : u.severity()) + "/Sec.";
                        default -> u.classification().toLowerCase(java.util.Locale.ROOT);
                    };
            String version = u.available().contains(":")
                    ? u.available().substring(u.available().indexOf(':') + 1)
                    : u.available();
            String nevra = u.name() + "-" + version + "." + u.arch();
            for (String id : cves ? u.cves() : u.advisoryIds()) {
                rows.add(id + " " + type + " " + nevra);
            }
        }
        return List.copyOf(rows);
    }

    static List<String> updateinfo(String output) {
        Set<String> rows = new TreeSet<>();
        for (String line : output.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length == 3 && !line.startsWith("Last metadata")) {
                rows.add(String.join(" ", f));
            }
        }
        return List.copyOf(rows);
    }
}
