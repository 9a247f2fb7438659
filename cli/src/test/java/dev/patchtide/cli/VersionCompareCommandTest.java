package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class VersionCompareCommandTest {

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Patchtide.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString().strip(), err.toString().strip());
    }

    @Test
    void printsTheOrderOfTwoVersions() {
        assertThat(run("version-compare", "deb", "1.0~rc1", "1.0").out()).isEqualTo("-1");
        assertThat(run("version-compare", "deb", "1:0.9", "2.0").out()).isEqualTo("1");
        assertThat(run("version-compare", "rpm", "1.0^git1", "1.0").out()).isEqualTo("1");
        assertThat(run("version-compare", "rpm", "0:2.0-1", "2.0").out()).isEqualTo("0");
    }

    @Test
    void badVersionOrSchemeIsAClearError() {
        Run bad = run("version-compare", "deb", "1.0", "x1");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("invalid Debian version 'x1'").contains("does not start with digit");

        Run scheme = run("version-compare", "msi", "1", "2");
        assertThat(scheme.exit()).isEqualTo(2);
        assertThat(scheme.err()).contains("deb").contains("rpm");
    }
}
