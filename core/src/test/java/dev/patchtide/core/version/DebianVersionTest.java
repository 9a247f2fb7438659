package dev.patchtide.core.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
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

    /** Refused with dpkg's own reason (the text after "has bad syntax: " in dpkg's error). */
    static final String[][] REFUSED = {
        {"", "version string is empty"},
        {" \t", "version string is empty"},
        {"1.0 beta", "version string has embedded spaces"},
        {"1:\t1", "version string has embedded spaces"},
        {"a:1.0", "epoch in version is empty"},
        {":1.0", "epoch in version is empty"},
        {"+:1.0", "epoch in version is empty"},
        {"1a:1.0", "epoch in version is not number"},
        {"0x1:1", "epoch in version is not number"},
        {"1.0-1:2", "epoch in version is not number"},
        {"-1:1.0", "epoch in version is negative"},
        {"2147483648:1", "epoch in version is too big"},
        {"99999999999999999999999:1", "epoch in version is too big"},
        {"1:", "nothing after colon in version number"},
        {"1.0-", "revision number is empty"},
        {"1.0--", "revision number is empty"},
        {"-", "revision number is empty"},
        {"1:-1", "version number is empty"},
        {"-1", "version number is empty"},
    };

    /**
     * dpkg only warns about these (no leading digit, characters outside Policy's set) and orders them:
     * each pair is in ascending order, as dpkg says.
     */
    static final String[][] ACCEPTED_ASCENDING = {
        {"a-0", "b-0"},
        {"~abc", "Z0z"},
        {"Z0z", "a"},
        {"1.0", "abc"},
        {"+1", "."},
        {"1.0#", "1.0+"},
        {"1+0", "1_0"},
        {"1.0-a+b", "1.0-a_b"},
        {"1z", "1\u00e9"},
        {"1\u00e9", "1+"},
        {"1\u00e9", "1\u00ea"},
        {"1.0", "1.0\u00a0"},
        {"1:a", "2:0"},
        {"1.0", "+1:1.0"},
        {"1.0", "1:1:1"},
        {"0.9", " 1.0\t"},
        {"1--1", "1.0-1-2"},
        {"1.0-~", "1.0-0"},
        {"-0:1", "000000000001:1"},
        {"2147483646:1", "2147483647:1"},
    };

    @Test
    void refusesExactlyWhatDpkgRefusesWithDpkgsReason() throws Exception {
        for (String[] refused : REFUSED) {
            assertThatThrownBy(() -> DebianVersion.parse(refused[0]))
                    .as(refused[0])
                    .isInstanceOf(InvalidVersionException.class)
                    .hasMessageContaining("Debian")
                    .hasMessageEndingWith(": " + refused[1]);
        }
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "dpkg is not installed: not a Debian host");
        for (String[] refused : REFUSED) {
            if (refused[0].isEmpty()) {
                continue; // --compare-versions reads an empty argument as "not installed"; parseversion refuses it
            }
            Dpkg said = dpkg(refused[0], "eq", "1");
            assertThat(said.exit()).as(refused[0]).isEqualTo(2);
            assertThat(said.output()).as(refused[0]).contains("has bad syntax: " + refused[1] + "\n");
        }
    }

    @Test
    void acceptsAndOrdersWhatDpkgOnlyWarnsAbout() throws Exception {
        for (String[] pair : ACCEPTED_ASCENDING) {
            assertThat(DebianVersion.compare(pair[0], pair[1]))
                    .as(pair[0] + " < " + pair[1])
                    .isEqualTo(-1);
            assertThat(DebianVersion.compare(pair[1], pair[0]))
                    .as(pair[1] + " > " + pair[0])
                    .isEqualTo(1);
        }
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "dpkg is not installed: not a Debian host");
        for (String[] pair : ACCEPTED_ASCENDING) {
            assertThat(dpkg(pair[0], "lt", pair[1]).exit())
                    .as(pair[0] + " lt " + pair[1])
                    .isZero();
            assertThat(dpkg(pair[1], "gt", pair[0]).exit())
                    .as(pair[1] + " gt " + pair[0])
                    .isZero();
        }
    }

    @Test
    void aHugeRefusedVersionIsNotEchoedWhole() {
        String huge = "1:" + "x".repeat(10_000) + "-";
        assertThatThrownBy(() -> DebianVersion.parse(huge))
                .hasMessageContaining("revision number is empty")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }

    /** The real dpkg is the reference: random versions from the tricky alphabet must order alike. */
    @Test
    void agreesWithDpkgOnRandomVersions() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "dpkg is not installed: not a Debian host");
        Random random = new Random(20261122);
        String[] pieces = {
            "0", "1", "2", "10", "01", "a", "b", "Z", "~", ".", "+", "~rc1", "_", "\u00e9", "-1", "-2", "1:", "2:"
        };
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
        // dpkg also orders upstream versions that do not start with a digit (it only warns).
        StringBuilder upstream = new StringBuilder(
                random.nextInt(5) == 0 ? pieces[5 + random.nextInt(6)] : String.valueOf(random.nextInt(12)));
        int extra = random.nextInt(4);
        for (int i = 0; i < extra; i++) {
            String piece = pieces[random.nextInt(pieces.length - 2)];
            upstream.append(piece.equals("-1") || piece.equals("-2") ? "." : piece);
        }
        String revision = random.nextBoolean() ? "" : "-" + (random.nextInt(3) + (random.nextBoolean() ? "" : "~b1"));
        return epoch + upstream + revision;
    }

    private static int dpkgSays(String a, String b) throws Exception {
        if (dpkg(a, "lt", b).exit() == 0) {
            return -1;
        }
        return dpkg(a, "eq", b).exit() == 0 ? 0 : 1;
    }

    private record Dpkg(int exit, String output) {}

    private static Dpkg dpkg(String a, String op, String b) throws Exception {
        // "--" so that a version starting with '-' is not read as an option.
        Process p = new ProcessBuilder("dpkg", "--compare-versions", "--", a, op, b)
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Dpkg(p.waitFor(), output);
    }
}
