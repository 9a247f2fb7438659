package dev.patchtide.server.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.agent.Agent;
import dev.patchtide.agent.scan.dnf.LocalRpmRepository;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.PatchComplianceDataState;
import software.amazon.awssdk.services.ssm.model.PatchFilter;
import software.amazon.awssdk.services.ssm.model.PatchRule;

/**
 * Issue 14's third proof for the dnf family: an install root made with rpmbuild, createrepo_c and the real dnf (v1
 * of a package with a security update for x86_64 and i686, and of one with a bugfix update); the real agent, its
 * root set to that tree, runs {@code SendCommand AWS-RunPatchBaseline Operation=Install} sent with the AWS SDK,
 * under a baseline approving the security-fixed package only. The real {@code dnf --installroot … install
 * name-epoch:version-release.arch} installs exactly the approved updates: both builds of the security fix, not the
 * bugfix, every other package as it was; compliance goes from Missing to Installed.
 *
 * <p>The root is the agent's own setting (its constructor's, "/" for {@code Agent.forThisHost}), not a document
 * parameter: AWS-RunPatchBaseline has none for it, and the same setting points the scan, the install and the
 * reboot check of that agent at one tree, so they cannot disagree about which host they patch.
 */
class RealDnfInstallTest {
    static final String FIX = "pt-openssl";
    static final String BUGFIX = "pt-tools";

    @TempDir
    static Path dir;

    static LocalRpmRepository host;
    static final MutableClock clock = MutableClock.ofNow();
    static TestServer server;
    static SsmClient ssm;
    static PatchedHost patched;
    static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        host = new LocalRpmRepository(Files.createDirectories(dir.resolve("host")));
        List<Path> rpms = new ArrayList<>();
        rpms.add(host.releasePackage());
        for (String arch : List.of("x86_64", "i686")) {
            rpms.add(host.rpm(FIX, "1.0", "1", arch));
            rpms.add(host.rpm(FIX, "2.0", "1", arch));
        }
        rpms.add(host.rpm(BUGFIX, "1.0", "1", "x86_64"));
        rpms.add(host.rpm(BUGFIX, "1.1", "1", "x86_64"));
        host.repository(
                "pt-base",
                "xz",
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <updates>
                  <update from="tests@example.net" status="final" type="security" version="1">
                    <id>PT-2026:0001</id><title>pt-openssl security update</title><severity>Important</severity>
                    <issued date="2026-01-15 00:00:00"/>
                    <references><reference href="https://example.net/c" id="CVE-2026-1234" type="cve" title="c"/></references>
                    <description>fix</description>
                    <pkglist><collection short="pt"><name>pt</name>
                      <package name="pt-openssl" version="2.0" release="1" epoch="0" arch="x86_64"><filename>a.rpm</filename></package>
                      <package name="pt-openssl" version="2.0" release="1" epoch="0" arch="i686"><filename>b.rpm</filename></package>
                    </collection></pkglist>
                  </update>
                  <update from="tests@example.net" status="final" type="bugfix" version="1">
                    <id>PT-2026:0002</id><title>pt-tools bug fix</title><issued date="2026-01-20 00:00:00"/>
                    <references/><description>fix</description>
                    <pkglist><collection short="pt"><name>pt</name>
                      <package name="pt-tools" version="1.1" release="1" epoch="0" arch="x86_64"><filename>c.rpm</filename></package>
                    </collection></pkglist>
                  </update>
                </updates>
                """,
                rpms);
        host.install(rpms.getFirst().toString());
        host.install("pt-openssl-1.0-1.x86_64", "pt-openssl-1.0-1.i686", "pt-tools-1.0-1.x86_64");
        host.makecache();

        server = TestServer.start(clock);
        ssm = server.ssm();
        // Approval by name (pt-openssl) with non-security updates enabled, not by classification: the server judges
        // an installed package without its advisory's classification and security flag, so a Security-only
        // baseline would show the installed fix as InstalledOther (noted in issue 14's report). The bugfix stays
        // unapproved either way.
        String baseline = ssm.createPatchBaseline(b -> b.name("rhel-openssl-only")
                        .operatingSystem("REDHAT_ENTERPRISE_LINUX")
                        .approvalRules(r -> r.patchRules(PatchRule.builder()
                                .approveAfterDays(0)
                                .enableNonSecurity(true)
                                .complianceLevel("CRITICAL")
                                .patchFilterGroup(g -> g.patchFilters(PatchFilter.builder()
                                        .key("NAME")
                                        .values(FIX)
                                        .build()))
                                .build())))
                .baselineId();
        patched = PatchedHost.register(server, dir.resolve("agent"), "rpm-root", baseline);
        agent = patched.startAgentOn(host.root(), dir.resolve("agent"));
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void installPutsExactlyTheApprovedUpdatesInTheRootWithTheRealDnf() throws Exception {
        GetCommandInvocationResponse scan = patched.finished(patched.send("Scan"));
        assertThat(scan.status()).as(scan.standardOutputContent()).isEqualTo(CommandInvocationStatus.SUCCESS);
        assertThat(patched.statesByKbId())
                .containsEntry("pt-openssl.x86_64:2.0-1", PatchComplianceDataState.MISSING)
                .containsEntry("pt-openssl.i686:2.0-1", PatchComplianceDataState.MISSING)
                .doesNotContainKey("pt-tools.x86_64:1.1-1");
        List<String> before = host.installed();
        assertThat(before).contains("pt-openssl-0:1.0-1.x86_64", "pt-openssl-0:1.0-1.i686", "pt-tools-0:1.0-1.x86_64");

        GetCommandInvocationResponse install = patched.finished(patched.send("Install"));

        assertThat(install.status()).as(install.standardOutputContent()).isEqualTo(CommandInvocationStatus.SUCCESS);
        assertThat(install.standardOutputContent())
                .contains("Running: dnf --installroot " + host.root())
                .contains("pt-openssl-2.0-1.x86_64", "pt-openssl-2.0-1.i686")
                .doesNotContain("pt-tools-1.1");
        List<String> after = host.installed();
        List<String> expected = new ArrayList<>(before);
        expected.remove("pt-openssl-0:1.0-1.x86_64");
        expected.remove("pt-openssl-0:1.0-1.i686");
        expected.add("pt-openssl-0:2.0-1.x86_64");
        expected.add("pt-openssl-0:2.0-1.i686");
        assertThat(after).as("the approved updates and nothing else").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(patched.statesByKbId())
                .containsEntry("pt-openssl.x86_64:2.0-1", PatchComplianceDataState.INSTALLED)
                .containsEntry("pt-openssl.i686:2.0-1", PatchComplianceDataState.INSTALLED);
        assertThat(patched.state().missingCount()).isZero();
        assertThat(host.checkUpdate())
                .as("dnf agrees: only the unapproved bugfix is left")
                .contains(BUGFIX + ".x86_64")
                .doesNotContain(FIX);
    }
}
