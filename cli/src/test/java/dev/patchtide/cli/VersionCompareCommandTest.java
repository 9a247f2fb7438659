package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionCompareCommandTest {

    @Test
    void printsTheOrderOfTwoVersions() {
        assertThat(InProcessCli.run("version-compare", "deb", "1.0~rc1", "1.0").out())
                .isEqualTo("-1");
        assertThat(InProcessCli.run("version-compare", "deb", "1:0.9", "2.0").out())
                .isEqualTo("1");
        assertThat(InProcessCli.run("version-compare", "rpm", "1.0^git1", "1.0").out())
                .isEqualTo("1");
        assertThat(InProcessCli.run("version-compare", "rpm", "0:2.0-1", "2.0").out())
                .isEqualTo("0");
    }

    @Test
    void badVersionOrSchemeIsAClearError() {
        // dpkg refuses a version with an embedded space (exit 2) but only warns about one starting with a letter.
        InProcessCli.Run bad = InProcessCli.run("version-compare", "deb", "1.0", "1 0");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("invalid Debian version '1 0'").contains("embedded spaces");
        assertThat(InProcessCli.run("version-compare", "deb", "a-0", "b-0").out())
                .isEqualTo("-1");

        InProcessCli.Run scheme = InProcessCli.run("version-compare", "msi", "1", "2");
        assertThat(scheme.exit()).isEqualTo(2);
        assertThat(scheme.err()).contains("deb").contains("rpm");
    }
}
