package dev.patchtide.agent.scan.zypper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.agent.scan.PackageFamily;
import dev.patchtide.agent.scan.PatchReport;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Issue 14's second proof: a root the real zypper manages (packages built by rpmbuild, repositories by createrepo_c
 * and modifyrepo_c, v1s installed by zypper), and Patchtide's scan of it equals {@code zypper list-updates} and
 * {@code zypper list-patches --all}, field by field. The repositories exercise zypper's rules: a security patch with
 * CVEs, an unrelated plain update, a vendor change (not an update), a repository of higher priority with an older
 * build (it wins), an x86_64 package, a locked package, and patches that are needed, optional, applied and not
 * needed.
 */
class ZypperScannerRealToolTest {
    static final long ISSUED = 1_764_000_000L;

    @TempDir
    static Path dir;

    static ZypperTestRoot zypper;

    @BeforeAll
    static void build() throws Exception {
        zypper = ZypperTestRoot.create(dir);
        String suse = "SUSE LLC <https://www.suse.com/>";
        for (String v : List.of("1.0", "2.0")) {
            zypper.rpm("updates", "pt-hello", v, suse, "noarch");
            zypper.rpm("updates", "pt-arch", v, suse, "x86_64");
        }
        zypper.rpm("updates", "pt-other", "1.0", suse, "noarch");
        zypper.rpm("updates", "pt-other", "1.1", suse, "noarch");
        zypper.rpm("updates", "pt-vendor", "1.0", suse, "noarch");
        zypper.rpm("updates", "pt-vendor", "3.0", "openSUSE", "noarch");
        zypper.rpm("updates", "pt-prio", "1.0", suse, "noarch");
        zypper.rpm("updates", "pt-prio", "2.0", suse, "noarch");
        zypper.rpm("updates", "pt-absent", "1.0", suse, "noarch");
        zypper.rpm("updates", "pt-locked", "1.0", suse, "noarch");
        zypper.rpm("updates", "pt-locked", "2.0", suse, "noarch");
        zypper.rpm("pinned", "pt-prio", "1.5", "SUSE GmbH", "noarch");
        String prefix = "SUSE-SLE-Module-Basesystem-15-SP5-2026-";
        zypper.patch(
                "updates",
                prefix + "1234",
                "security",
                "important",
                ISSUED,
                List.of("CVE-2026-1111", "CVE-2026-1112"),
                "pt-hello",
                "2.0",
                "noarch");
        zypper.patch(
                "updates",
                prefix + "2000",
                "recommended",
                "low",
                ISSUED + 100,
                List.of(),
                "pt-absent",
                "1.0",
                "noarch");
        zypper.patch(
                "updates",
                prefix + "2001",
                "optional",
                "moderate",
                ISSUED + 200,
                List.of(),
                "pt-other",
                "1.0",
                "noarch");
        zypper.patch(
                "updates", prefix + "2002", "feature", "critical", ISSUED + 300, List.of(), "pt-arch", "2.0", "x86_64");
        zypper.patch(
                "updates", prefix + "2003", "recommended", "", ISSUED + 400, List.of(), "pt-other", "1.1", "noarch");
        zypper.patch(
                "pinned",
                "openSUSE-2026-77",
                "security",
                "moderate",
                ISSUED + 500,
                List.of("CVE-2026-7777"),
                "pt-prio",
                "1.5",
                "noarch");
        zypper.publish("updates", 99);
        zypper.publish("pinned", 50);
        zypper.install(
                "pt-hello-1.0-1.noarch",
                "pt-arch-1.0-1.x86_64",
                "pt-other-1.0-1.noarch",
                "pt-vendor-1.0-1.noarch",
                "pt-prio-1.0-1.noarch",
                "pt-locked-1.0-1.noarch");
        zypper.zypper("addlock", "pt-lock*");
    }

    static ZypperScan scan() throws Exception {
        Path root = zypper.root();
        // rpm is given the root's database with --dbpath: the scan runs with the agent's own HOME
        List<ZyppPackage> installed = InstalledRpms.read(root).stream()
                .map(InstalledRpms.Installed::pkg)
                .toList();
        return new ZypperScanner().scan(root, installed, ZypperRepos.read(root, "15.5", "x86_64"));
    }

    @Test
    void updatesEqualZypperListUpdates() throws Exception {
        List<String> expected = new ArrayList<>();
        for (Element u : elements(zypper.zypper("--xmlout", "list-updates"), "update")) {
            Element source = (Element) u.getElementsByTagName("source").item(0);
            expected.add(String.join(
                    " ",
                    u.getAttribute("name"),
                    u.getAttribute("arch"),
                    u.getAttribute("edition-old"),
                    u.getAttribute("edition"),
                    source.getAttribute("alias")));
        }
        List<String> actual = scan().updates().stream()
                .map(u -> String.join(" ", u.name(), u.arch(), u.installed(), u.available(), u.repository()))
                .toList();

        assertThat(expected)
                .as("zypper itself, so the comparison compares something")
                .contains("pt-prio noarch 1.0-1 1.5-1 pinned", "pt-hello noarch 1.0-1 2.0-1 updates")
                .noneMatch(l -> l.startsWith("pt-vendor"))
                .noneMatch(l -> l.startsWith("pt-locked"));
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void patchesEqualZypperListPatchesAll() throws Exception {
        List<String> expected = new ArrayList<>();
        for (Element p : elements(zypper.zypper("--xmlout", "list-patches", "--all"), "update")) {
            List<String> cves = new ArrayList<>();
            NodeList issues = p.getElementsByTagName("issue");
            for (int i = 0; i < issues.getLength(); i++) {
                Element issue = (Element) issues.item(i);
                if (issue.getAttribute("type").equals("cve")) {
                    cves.add(issue.getAttribute("id"));
                }
            }
            Element source = (Element) p.getElementsByTagName("source").item(0);
            Element issued = (Element) p.getElementsByTagName("issue-date").item(0);
            expected.add(String.join(
                    " | ",
                    p.getAttribute("name"),
                    p.getAttribute("category"),
                    p.getAttribute("severity"),
                    // the XML writes "not-needed" where the table writes "not needed"
                    p.getAttribute("status").replace('-', ' '),
                    issued == null ? "0" : issued.getAttribute("time_t"),
                    source.getAttribute("alias"),
                    String.join(",", cves)));
        }
        List<String> actual = scan().patches().stream()
                .map(e -> String.join(
                        " | ",
                        e.patch().id(),
                        e.patch().category(),
                        e.patch().severity(),
                        e.status().text(),
                        String.valueOf(e.patch().issued()),
                        e.patch().repository(),
                        String.join(",", e.patch().cves())))
                .toList();

        assertThat(expected)
                .as("zypper's statuses cover every kind")
                .anyMatch(l -> l.contains("| needed |"))
                .anyMatch(l -> l.contains("| optional |"))
                .anyMatch(l -> l.contains("| applied |"))
                .anyMatch(l -> l.contains("| not needed |"));
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void updatesCarryTheirPatchesClassificationSeverityAndCves() throws Exception {
        Map<String, ZypperUpdate> byName = new java.util.HashMap<>();
        scan().updates().forEach(u -> byName.put(u.name(), u));

        ZypperUpdate hello = byName.get("pt-hello");
        assertThat(hello.classification()).isEqualTo("Security");
        assertThat(hello.severity()).isEqualTo("Important");
        assertThat(hello.cves()).containsExactly("CVE-2026-1111", "CVE-2026-1112");
        assertThat(hello.patchIds()).containsExactly("SUSE-SLE-Module-Basesystem-15-SP5-2026-1234");
        assertThat(hello.issued()).isEqualTo(ISSUED);
        assertThat(byName.get("pt-other").classification()).isEqualTo("Recommended");
        assertThat(byName.get("pt-prio").cves()).containsExactly("CVE-2026-7777");
    }

    @Test
    void aRepeatScanOfUnchangedMetadataParsesNothing() throws Exception {
        Path root = zypper.root();
        List<ZyppPackage> installed = InstalledRpms.read(root).stream()
                .map(InstalledRpms.Installed::pkg)
                .toList();
        List<ZypperRepo> repos = ZypperRepos.read(root, "15.5", "x86_64");
        ZypperScanner scanner = new ZypperScanner();
        ZypperScan first = scanner.scan(root, installed, repos);
        int parsed = scanner.filesParsed();

        assertThat(scanner.scan(root, installed, repos)).isEqualTo(first);
        assertThat(parsed).as("two primaries, two updateinfos").isEqualTo(4);
        assertThat(scanner.filesParsed()).isEqualTo(parsed);
    }

    @Test
    void theAgentsReportOfTheRootIsZyppersView() throws Exception {
        assertThat(PackageFamily.require(zypper.root())).isEqualTo(PackageFamily.ZYPPER);

        Map<String, Object> report = PatchReport.scan(zypper.root(), "mi-0123456789abcdef0");

        assertThat(report).containsEntry("OperatingSystem", "SUSE").containsEntry("Product", "Suse15.5");
        assertThat(report.get("InstalledCount")).isEqualTo(6);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> patches = (List<Map<String, Object>>) report.get("Patches");
        assertThat(patches)
                .extracting(p -> p.get("Name"))
                .containsExactly("pt-arch", "pt-hello", "pt-other", "pt-prio");
        Map<String, Object> hello = patches.get(1);
        assertThat(hello)
                .containsEntry("AvailableVersion", "2.0-1")
                .containsEntry("Classification", "Security")
                .containsEntry("Severity", "Important")
                .containsEntry("Security", true)
                .containsEntry("ReleaseDate", "2025-11-24")
                .containsEntry("CVEIds", List.of("CVE-2026-1111", "CVE-2026-1112"));
    }

    private static List<Element> elements(String xml, String tag) throws Exception {
        var doc = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        NodeList nodes = doc.getElementsByTagName(tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }
}
