package dev.patchtide.core.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DebianVersionTest {

    @ParameterizedTest(name = "{0} vs {1} = {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            1.0         | 1.0          | 0
            1.0         | 1.1          | -1
            1.10        | 1.9          | 1
            1:1.0       | 2.0          | 1
            0:1.0       | 1.0          | 0
            2:0.1       | 10:0.1       | -1
            1.0~rc1     | 1.0          | -1
            1.0~~       | 1.0~         | -1
            1.0~        | 1.0          | -1
            1.0~a       | 1.0~         | 1
            1.0         | 1.0-0        | 0
            1.0-1       | 1.0-2        | -1
            1.0-1       | 1.0-1ubuntu1 | -1
            1.0-1+deb12u1 | 1.0-1      | 1
            1.0a        | 1.0          | 1
            1.0a        | 1.0+         | -1
            1.0+        | 1.0.         | -1
            1.0.1       | 1.0a         | 1
            2.30-1      | 2.3-1        | 1
            007         | 7            | 0
            1.2.3-4.5   | 1.2.3-4.10   | -1
            3.0.15-1~deb12u1 | 3.0.15-1 | -1
            5.10.0-28-amd64 | 5.10.0-28-amd64 | 0
            """)
    void ordersAsDebianPolicy(String a, String b, int expected) {
        assertThat(DebianVersion.compare(a, b)).isEqualTo(expected);
        assertThat(DebianVersion.compare(b, a)).isEqualTo(-expected);
    }

    @Test
    void parsesItsParts() {
        DebianVersion v = DebianVersion.parse("2:1.2-3-4ubuntu1");
        assertThat(v.epoch()).isEqualTo(2);
        assertThat(v.upstream()).isEqualTo("1.2-3");
        assertThat(v.revision()).isEqualTo("4ubuntu1");
        assertThat(v).hasToString("2:1.2-3-4ubuntu1");
    }

    @ParameterizedTest(name = "''{0}'': {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            ''          | version string is empty
            1.0 beta    | embedded spaces
            a:1.0       | epoch in version is not a number
            1:          | nothing after colon
            1.0-        | revision number is empty
            abc         | does not start with digit
            1.0_1       | invalid character '_' in version number
            1.0-a_b     | invalid character '_' in revision number
            """)
    void badVersionsAreRefusedWithTheReason(String text, String reason) {
        assertThatThrownBy(() -> DebianVersion.parse(text))
                .isInstanceOf(InvalidVersionException.class)
                .hasMessageContaining("Debian")
                .hasMessageContaining(reason);
    }

    /** The real dpkg is the reference: random versions from the tricky alphabet must order alike. */
    @Test
    void agreesWithDpkgOnRandomVersions() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "dpkg is not installed: not a Debian host");
        Random random = new Random(20261122);
        String[] pieces = {"0", "1", "2", "10", "01", "a", "b", "Z", "~", ".", "+", "~rc1", "-1", "-2", "1:", "2:"};
        List<String> disagreements = new ArrayList<>();
        for (int n = 0; n < 150; n++) {
            String a = randomVersion(random, pieces);
            String b = randomVersion(random, pieces);
            int ours = DebianVersion.compare(a, b);
            int dpkg = dpkgSays(a, b);
            if (ours != dpkg) {
                disagreements.add(a + " vs " + b + ": ours " + ours + ", dpkg " + dpkg);
            }
        }
        assertThat(disagreements).isEmpty();
    }

    private static String randomVersion(Random random, String[] pieces) {
        String epoch = random.nextInt(4) == 0 ? random.nextInt(3) + ":" : "";
        StringBuilder upstream = new StringBuilder(String.valueOf(random.nextInt(12)));
        int extra = random.nextInt(4);
        for (int i = 0; i < extra; i++) {
            String piece = pieces[random.nextInt(pieces.length - 2)];
            upstream.append(piece.equals("-1") || piece.equals("-2") ? "." : piece);
        }
        String revision = random.nextBoolean() ? "" : "-" + (random.nextInt(3) + (random.nextBoolean() ? "" : "~b1"));
        return epoch + upstream + revision;
    }

    private static int dpkgSays(String a, String b) throws Exception {
        if (run("lt", a, b)) {
            return -1;
        }
        return run("eq", a, b) ? 0 : 1;
    }

    private static boolean run(String op, String a, String b) throws Exception {
        Process p = new ProcessBuilder("dpkg", "--compare-versions", a, op, b)
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
