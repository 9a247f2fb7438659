package dev.patchtide.agent.scan.dnf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.agent.scan.rpm.RpmPackage;
import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** dnf's view of updates on real-format metadata: repomd.xml, primary.xml.gz, updateinfo.xml.xz. */
class DnfScannerTest {
    @TempDir
    Path cache;

    static final String RPM_QA = String.join(
            "\n",
            "openssl\t1\t3.0.7\t24.el9\tx86_64",
            "bash\t(none)\t5.1.8\t9.el9\tx86_64",
            "tzdata\t(none)\t2024a\t1.el9\tnoarch",
            "curl\t(none)\t7.76.1\t29.el9_4\tx86_64",
            "gpg-pubkey\t(none)\tfd431d51\t4ae0493b\t(none)",
            "");

    @BeforeEach
    void repositories() throws Exception {
        repo(
                "baseos-0123abcd",
                """
                <package type="rpm"><name>openssl</name><arch>x86_64</arch>
                  <version epoch="1" ver="3.0.7" rel="27.el9"/><summary>TLS</summary></package>
                <package type="rpm"><name>openssl</name><arch>x86_64</arch>
                  <version epoch="1" ver="3.0.7" rel="28.el9_4"/></package>
                <package type="rpm"><name>openssl</name><arch>i686</arch>
                  <version epoch="1" ver="3.0.9" rel="1.el9"/></package>
                <package type="rpm"><name>bash</name><arch>x86_64</arch>
                  <version epoch="0" ver="5.1.8" rel="9.el9"/></package>
                <package type="rpm"><name>tzdata</name><arch>noarch</arch>
                  <version epoch="0" ver="2024b" rel="2.el9"/></package>
                <package type="rpm"><name>curl</name><arch>x86_64</arch>
                  <version epoch="0" ver="7.76.1" rel="29.el9_4"/></package>
                """,
                """
                <update from="security@redhat.com" status="final" type="security" version="3">
                  <id>RHSA-2024:2447</id><title>Important: openssl security update</title>
                  <issued date="2024-04-30 00:00:00"/><severity>Important</severity>
                  <references>
                    <reference href="https://access.redhat.com/security/cve/CVE-2023-5678" id="CVE-2023-5678" type="cve"/>
                    <reference href="https://bugzilla.redhat.com/1" id="1" type="bugzilla"/>
                  </references>
                  <pkglist><collection short="rhel9"><name>rhel9</name>
                    <package name="openssl" arch="x86_64" epoch="1" version="3.0.7" release="27.el9" src="x"><filename>o.rpm</filename></package>
                  </collection></pkglist>
                </update>
                <update status="final" type="bugfix"><id>RHBA-2024:9999</id><issued date="2024-06-01 00:00:00"/>
                  <severity>None</severity>
                  <pkglist><collection><package name="openssl" arch="x86_64" epoch="1" version="3.0.7" release="28.el9_4"/></collection></pkglist>
                </update>
                <update status="final" type="security"><id>RHSA-2023:0001</id><severity>Critical</severity>
                  <pkglist><collection><package name="openssl" arch="x86_64" epoch="1" version="3.0.7" release="20.el9"/></collection></pkglist>
                </update>
                <update status="final" type="enhancement"><id>RHEA-2024:1000</id>
                  <pkglist><collection><package name="tzdata" arch="noarch" epoch="0" version="2024b" release="2.el9"/></collection></pkglist>
                </update>
                """);
    }

    @Test
    void newestBuildWinsAndCarriesTheAdvisoriesItResolves() throws Exception {
        Map<String, DnfUpdate> updates = scan();

        assertThat(updates).containsOnlyKeys("openssl", "tzdata");
        DnfUpdate openssl = updates.get("openssl");
        assertThat(openssl.installed()).isEqualTo("1:3.0.7-24.el9");
        assertThat(openssl.available()).isEqualTo("1:3.0.7-28.el9_4");
        assertThat(openssl.repository()).isEqualTo("baseos");
        assertThat(openssl.classification()).isEqualTo("Security");
        assertThat(openssl.severity()).isEqualTo("Important");
        // RHSA-2023:0001 fixed a build older than the installed one: already applied, not listed.
        assertThat(openssl.advisoryIds()).containsExactlyInAnyOrder("RHSA-2024:2447", "RHBA-2024:9999");
        assertThat(openssl.cves()).containsExactly("CVE-2023-5678");
        assertThat(openssl.issued()).isEqualTo("2024-04-30 00:00:00");

        DnfUpdate tzdata = updates.get("tzdata");
        assertThat(tzdata.classification()).isEqualTo("Enhancement");
        assertThat(tzdata.arch()).isEqualTo("noarch");
    }

    @Test
    void rpmQueryOutputIsReadAndBadLinesNamed() {
        List<RpmPackage> installed = RpmPackage.parseQueryOutput(RPM_QA);
        assertThat(installed).hasSize(4).extracting(RpmPackage::name).doesNotContain("gpg-pubkey");
        assertThat(installed.getFirst().evrText()).isEqualTo("1:3.0.7-24.el9");
        assertThatThrownBy(() -> RpmPackage.parseQueryOutput("openssl\t1\t3.0.7\n"))
                .hasMessageContaining("line 1")
                .hasMessageContaining("expected 5");
        assertThatThrownBy(() -> RpmPackage.parseQueryOutput("x\t0\t1 0\t1\tx86_64\n"))
                .hasMessageContaining("invalid RPM version");
    }

    @Test
    void zstdMetadataIsReadLikeItsGzipTwin() throws Exception {
        Map<String, DnfUpdate> gzip = scan();
        Path repodata = cache.resolve("baseos-0123abcd/repodata");
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(repodata.resolve("aa-primary.xml.gz")));
                OutputStream out =
                        new ZstdOutputStream(Files.newOutputStream(repodata.resolve("aa-primary.xml.zst")))) {
            in.transferTo(out);
        }
        Files.delete(repodata.resolve("aa-primary.xml.gz"));
        Files.writeString(
                repodata.resolve("repomd.xml"),
                Files.readString(repodata.resolve("repomd.xml")).replace("aa-primary.xml.gz", "aa-primary.xml.zst"));

        assertThat(scan()).isEqualTo(gzip).isNotEmpty();
    }

    @Test
    void aMetadataFileOutsideItsRepositoryIsRefused() throws Exception {
        Path repodata = cache.resolve("baseos-0123abcd/repodata");
        Files.writeString(
                repodata.resolve("repomd.xml"),
                Files.readString(repodata.resolve("repomd.xml")).replace("repodata/aa-primary.xml.gz", "../../x.gz"));
        assertThatThrownBy(this::scan).hasMessageContaining("outside its repository");
    }

    @Test
    void priorityThenVersionThenCostChooseTheBuildAndExcludesHideIt() throws Exception {
        repo(
                "mirror-99999999",
                """
                <package type="rpm"><name>openssl</name><arch>x86_64</arch>
                  <version epoch="1" ver="3.0.7" rel="28.el9_4"/></package>
                <package type="rpm"><name>curl</name><arch>x86_64</arch>
                  <version epoch="0" ver="7.76.1" rel="30.el9"/></package>
                """,
                "");
        List<DnfScanner.Source> repos = DnfScanner.cachedRepositories(cache);
        DnfScanner.Source base = repos.get(0);
        DnfScanner.Source mirror = repos.get(1);
        List<RpmPackage> installed = RpmPackage.parseQueryOutput(RPM_QA);

        // Same openssl build in both: the cheaper repository is named.
        var cheapMirror = new DnfScanner.Source(mirror.metadata(), 99, 500, List.of(), List.of());
        assertThat(byName(new DnfScanner().scan(installed, List.of(base, cheapMirror)))
                        .get("openssl")
                        .repository())
                .isEqualTo("mirror");
        assertThat(byName(new DnfScanner().scan(installed, List.of(base, mirror)))
                        .get("openssl")
                        .repository())
                .isEqualTo("baseos");
        // A better priority wins even where it has nothing newer: no tzdata update comes from base then? It does,
        // priority counts per name.arch, and mirror has no tzdata.
        var preferred = new DnfScanner.Source(mirror.metadata(), 10, 1000, List.of(), List.of());
        Map<String, DnfUpdate> prio = byName(new DnfScanner().scan(installed, List.of(base, preferred)));
        assertThat(prio.get("curl").available()).isEqualTo("7.76.1-30.el9");
        assertThat(prio).containsKeys("openssl", "tzdata");
        // Base (priority 10) holds curl at the installed build only: mirror's newer curl no longer counts.
        var preferredBase = new DnfScanner.Source(base.metadata(), 10, 1000, List.of(), List.of());
        assertThat(byName(new DnfScanner().scan(installed, List.of(preferredBase, mirror))))
                .doesNotContainKey("curl");
        // excludepkgs hides a build; includepkgs keeps only what it names.
        var excluding =
                new DnfScanner.Source(base.metadata(), 99, 1000, List.of("openssl*", "tzdata.noarch"), List.of());
        assertThat(byName(new DnfScanner().scan(installed, List.of(excluding, mirror)))
                        .get("openssl")
                        .repository())
                .isEqualTo("mirror");
        var including = new DnfScanner.Source(base.metadata(), 99, 1000, List.of(), List.of("tzdata"));
        assertThat(byName(new DnfScanner().scan(installed, List.of(including)))).containsOnlyKeys("tzdata");
    }

    @Test
    void theNewestInstalledBuildOfAnInstallonlyNameIsCompared() throws Exception {
        List<RpmPackage> installed =
                RpmPackage.parseQueryOutput("openssl\t1\t3.0.7\t24.el9\tx86_64\nopenssl\t1\t3.0.7\t28.el9_4\tx86_64\n");
        assertThat(new DnfScanner().scan(installed, DnfScanner.cachedRepositories(cache)))
                .isEmpty();
    }

    private static Map<String, DnfUpdate> byName(List<DnfUpdate> updates) {
        return updates.stream().collect(Collectors.toMap(DnfUpdate::name, Function.identity()));
    }

    /** The daemon's scanner parses unchanged metadata once; refreshed metadata (or a new name) is read again. */
    @Test
    void aRepeatScanParsesNoUnchangedMetadata() throws Exception {
        DnfScanner scanner = new DnfScanner();
        List<RpmPackage> installed = RpmPackage.parseQueryOutput(RPM_QA);
        List<DnfUpdate> first = scanner.scan(installed, DnfScanner.cachedRepositories(cache));
        assertThat(scanner.filesParsed()).as("primary and updateinfo").isEqualTo(2);
        assertThat(scanner.scan(installed, DnfScanner.cachedRepositories(cache)))
                .isEqualTo(first);
        assertThat(scanner.filesParsed()).as("unchanged: nothing parsed").isEqualTo(2);

        // A newly installed name: its builds were skipped the first time, so the metadata is read again.
        List<RpmPackage> more = RpmPackage.parseQueryOutput(RPM_QA + "zsh\t(none)\t5.8\t1.el9\tx86_64\n");
        scanner.scan(more, DnfScanner.cachedRepositories(cache));
        assertThat(scanner.filesParsed()).isEqualTo(4);

        // dnf refreshed the repository: the new primary is read, and its newer openssl build shows.
        repo(
                "baseos-0123abcd",
                """
                <package type="rpm"><name>openssl</name><arch>x86_64</arch>
                  <version epoch="1" ver="3.0.7" rel="29.el9_5"/></package>
                """,
                "");
        assertThat(scanner.scan(more, DnfScanner.cachedRepositories(cache)))
                .filteredOn(u -> u.name().equals("openssl"))
                .singleElement()
                .extracting(DnfUpdate::available)
                .isEqualTo("1:3.0.7-29.el9_5");
        assertThat(scanner.filesParsed()).isEqualTo(6);
        assertThat(scanner.scan(more, DnfScanner.cachedRepositories(cache)))
                .isEqualTo(new DnfScanner().scan(more, DnfScanner.cachedRepositories(cache)));
    }

    private Map<String, DnfUpdate> scan() throws Exception {
        return new DnfScanner()
                .scan(RpmPackage.parseQueryOutput(RPM_QA), DnfScanner.cachedRepositories(cache)).stream()
                        .collect(Collectors.toMap(DnfUpdate::name, Function.identity()));
    }

    private void repo(String dirName, String packages, String updates) throws Exception {
        Path repodata = Files.createDirectories(cache.resolve(dirName).resolve("repodata"));
        Files.writeString(
                repodata.resolve("repomd.xml"),
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
                  <revision>1714400000</revision>
                  <data type="primary">
                    <checksum type="sha256">aa</checksum>
                    <location href="repodata/aa-primary.xml.gz"/>
                  </data>
                  <data type="updateinfo">
                    <checksum type="sha256">bb</checksum>
                    <location href="repodata/bb-updateinfo.xml.xz"/>
                  </data>
                </repomd>
                """);
        String primary =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\""
                        + " xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"6\">\n" + packages
                        + "</metadata>\n";
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(repodata.resolve("aa-primary.xml.gz")))) {
            out.write(primary.getBytes(StandardCharsets.UTF_8));
        }
        String updateinfo = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<updates>\n" + updates + "</updates>\n";
        try (OutputStream out = new XZOutputStream(
                Files.newOutputStream(repodata.resolve("bb-updateinfo.xml.xz")), new LZMA2Options())) {
            out.write(updateinfo.getBytes(StandardCharsets.UTF_8));
        }
    }
}
