package dev.patchtide.core.version;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RpmVersionTest {

    /** Cases of rpm's own rpmvercmp test suite, plus epoch and release handling. */
    @ParameterizedTest(name = "{0} vs {1} = {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            1.0          | 1.0          | 0
            1.0          | 2.0          | -1
            2.0.1        | 2.0          | 1
            2.0.1a       | 2.0.1        | 1
            5.5p1        | 5.5p2        | -1
            5.5p10       | 5.5p1        | 1
            10xyz        | 10.1xyz      | -1
            xyz10        | xyz10.1      | -1
            xyz.4        | 8            | -1
            5.5p2        | 5.6p1        | -1
            6.0.rc1      | 6.0          | 1
            10b2         | 10a1         | 1
            1.0aa        | 1.0a         | 1
            10.0001      | 10.1         | 0
            10.0001      | 10.0039      | -1
            4.999.9      | 5.0          | -1
            2_0          | 2.0          | 0
            a+           | a_           | 0
            +a           | _a           | 0
            1.0~rc1      | 1.0          | -1
            1.0~rc1      | 1.0~rc2      | -1
            1.0~rc1~git123 | 1.0~rc1    | -1
            1.0^         | 1.0          | 1
            1.0^git1     | 1.0          | 1
            1.0^git1     | 1.01         | -1
            1.0^20160101 | 1.0.1        | -1
            1.0^20160101^git1 | 1.0^20160101 | 1
            1.0~rc1^git1 | 1.0~rc1      | 1
            1.0^git1~pre | 1.0^git1     | -1
            1.0^git1     | 1.0^git2     | -1
            1:1.0        | 2.0          | 1
            0:1.0        | 1.0          | 0
            1.0-1.el9    | 1.0-2.el9    | -1
            1.0-1.el9    | 1.0          | 0
            2.2.6-1.el9_4.1 | 2.2.6-1.el9_4 | 1
            """)
    void ordersAsRpmvercmp(String a, String b, int expected) {
        assertThat(RpmVersion.compare(a, b)).isEqualTo(expected);
        assertThat(RpmVersion.compare(b, a)).isEqualTo(-expected);
    }

    @Test
    void parsesEpochVersionRelease() {
        RpmVersion v = RpmVersion.parse("2:4.18.0-553.el8_10");
        assertThat(v.epoch()).isEqualTo("2");
        assertThat(v.version()).isEqualTo("4.18.0");
        assertThat(v.release()).contains("553.el8_10");
        assertThat(v).hasToString("2:4.18.0-553.el8_10");
    }

    @ParameterizedTest(name = "''{0}'': {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            ''        | version string is empty
            1.0 1     | embedded spaces
            x:1.0     | is not a number
            1.0-      | release is empty
            1.0/2     | invalid character '/' in version
            1.0-el$9  | invalid character '$' in release
            """)
    void badVersionsAreRefusedWithTheReason(String text, String reason) {
        assertThatThrownBy(() -> RpmVersion.parse(text))
                .isInstanceOf(InvalidVersionException.class)
                .hasMessageContaining("RPM")
                .hasMessageContaining(reason);
    }
}
