package dev.patchtide.agent.scan.dnf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.agent.scan.rpm.RpmPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dnf.conf and *.repo as dnf reads them (the real-dnf comparison is DnfRealRootTest). */
class DnfConfigTest {
    @TempDir
    Path root;

    static final DnfVariables VARS =
            new DnfVariables(Map.of("releasever", "9", "basearch", "x86_64", "arch", "x86_64", "contentdir", "pub"));

    @Test
    void repositoriesWithVariablesListsDefaultsAndTheCacheFolderDnfNamesThem() throws Exception {
        Files.createDirectories(root.resolve("etc/dnf"));
        Files.createDirectories(root.resolve("etc/yum.repos.d"));
        Files.writeString(
                root.resolve("etc/dnf/dnf.conf"),
                "[main]\ngpgcheck=1\nexclude=kernel* , firefox\nskip_if_unavailable=True\n");
        Files.writeString(
                root.resolve("etc/yum.repos.d/rocky.repo"),
                """
                # comment
                [baseos]
                name=Rocky Linux $releasever - BaseOS
                mirrorlist=https://mirrors.example.net/?arch=$basearch&repo=BaseOS-$releasever
                #baseurl=http://dl.example.net/$contentdir/$releasever/BaseOS/$basearch/os/
                enabled=1
                priority=10
                excludepkgs=openssl-libs.i686
                cost=500

                [extras]
                baseurl=http://a.example.net/${releasever}/extras/
                  http://b.example.net/$releasever/extras/
                enabled=0
                includepkgs=epel-release
                """);
        DnfConfig config = DnfConfig.read(root, VARS);

        DnfRepository baseos = config.repositories().getFirst();
        assertThat(baseos.id()).isEqualTo("baseos");
        assertThat(baseos.mirrorlist()).contains("https://mirrors.example.net/?arch=x86_64&repo=BaseOS-9");
        assertThat(baseos.priority()).isEqualTo(10);
        assertThat(baseos.cost()).isEqualTo(500);
        assertThat(baseos.excludes()).containsExactly("kernel*", "firefox", "openssl-libs.i686");
        assertThat(baseos.skipIfUnavailable()).isTrue();
        // sha256("https://mirrors.example.net/?arch=x86_64&repo=BaseOS-9"), first 8 bytes, as libdnf names it
        assertThat(baseos.cacheDirName()).matches("baseos-[0-9a-f]{16}");

        DnfRepository extras = config.repositories().get(1);
        assertThat(extras.enabled()).isFalse();
        assertThat(extras.baseurls())
                .containsExactly("http://a.example.net/9/extras/", "http://b.example.net/9/extras/");
        assertThat(extras.includes()).containsExactly("epel-release");
        assertThat(extras.priority()).isEqualTo(DnfRepository.DEFAULT_PRIORITY);
        assertThat(extras.cacheDirName())
                .isEqualTo(new DnfRepository(
                                "extras",
                                true,
                                List.of("http://a.example.net/9/extras/"),
                                Optional.empty(),
                                Optional.empty(),
                                List.of(),
                                List.of(),
                                1,
                                1,
                                false)
                        .cacheDirName());
    }

    @Test
    void theCacheHashIsLibdnfs() {
        // dnf makecache of baseurl=file:///tmp/dnfproto/repo made the folder pt-local-26740a2aa25292c0
        DnfRepository repo = new DnfRepository(
                "pt-local",
                true,
                List.of("file:///tmp/dnfproto/repo"),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                List.of(),
                99,
                1000,
                false);
        assertThat(repo.cacheDirName()).isEqualTo("pt-local-26740a2aa25292c0");
    }

    @Test
    void badValuesAreNamed() throws Exception {
        Files.createDirectories(root.resolve("etc/yum.repos.d"));
        Files.writeString(root.resolve("etc/yum.repos.d/x.repo"), "[x]\npriority=high\n");
        assertThatThrownBy(() -> DnfConfig.read(root, VARS)).hasMessageContaining("x.priority is not a number");
        Files.writeString(root.resolve("etc/yum.repos.d/x.repo"), "[x]\nenabled=maybe\n");
        assertThatThrownBy(() -> DnfConfig.read(root, VARS)).hasMessageContaining("x.enabled is not a boolean");
        Files.writeString(root.resolve("etc/yum.repos.d/x.repo"), "baseurl=file:///x\n");
        assertThatThrownBy(() -> DnfConfig.read(root, VARS)).hasMessageContaining("line 1");
    }

    @Test
    void excludeGlobsMatchEachFormDnfAccepts() {
        RpmPackage p = new RpmPackage("openssl-libs", "i686", "1", "3.0.7", "27.el9");
        assertThat(new PackageGlobs(List.of("openssl-libs.i686")).matches(p)).isTrue();
        assertThat(new PackageGlobs(List.of("openssl*")).matches(p)).isTrue();
        assertThat(new PackageGlobs(List.of("openssl-libs-1:3.0.7-27.el9.i686")).matches(p))
                .isTrue();
        assertThat(new PackageGlobs(List.of("openssl-libs-3.0.[0-7]")).matches(p))
                .isTrue();
        assertThat(new PackageGlobs(List.of("openssl-libs.x86_64", "openssl", "kernel*")).matches(p))
                .isFalse();
        assertThat(new PackageGlobs(List.of()).matches(p)).isFalse();
    }

    @Test
    void variablesAreSubstitutedAndUnknownOnesKept() {
        assertThat(VARS.substitute("$releasever/${basearch}/$nope/$arch")).isEqualTo("9/x86_64/$nope/x86_64");
        assertThat(DnfVariables.basearch(DnfVariables.arch("amd64"))).isEqualTo("x86_64");
        assertThat(DnfVariables.basearch("i686")).isEqualTo("i386");
    }
}
