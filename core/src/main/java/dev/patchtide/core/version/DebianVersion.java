package dev.patchtide.core.version;

import java.math.BigInteger;
import java.util.Comparator;

/**
 * A Debian package version, {@code [epoch:]upstream_version[-debian_revision]}, ordered exactly as Debian
 * Policy §5.6.12 and dpkg define: epochs numerically, then upstream version and revision by alternating
 * non-digit parts (letters before non-letters, {@code ~} before everything, even the end) and digit
 * parts (numerically). A missing revision compares like "0".
 */
public record DebianVersion(long epoch, String upstream, String revision) implements Comparable<DebianVersion> {
    private static final String SCHEME = "Debian";
    private static final int NON_ASCII = 200;
    private static final BigInteger MAX_EPOCH = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final Comparator<DebianVersion> ORDER = Comparator.comparingLong(DebianVersion::epoch)
            .thenComparing(DebianVersion::upstream, DebianVersion::compareParts)
            .thenComparing(DebianVersion::revision, DebianVersion::compareParts);

    /**
     * Parses like dpkg's parseversion: what dpkg refuses (an error, exit code 2 from {@code dpkg
     * --compare-versions}) throws {@link InvalidVersionException} with dpkg's reason; what dpkg only warns
     * about (no leading digit, characters outside Debian Policy's set) is accepted and ordered as dpkg
     * orders it, because installed packages and repositories carry such versions and dpkg compares them.
     * Unlike {@code dpkg --compare-versions}, which reads an empty argument as "not installed", an empty
     * string is refused: it is no version.
     */
    public static DebianVersion parse(String text) {
        if (text == null) {
            throw new InvalidVersionException(SCHEME, "", "version string is empty");
        }
        int from = 0;
        int to = text.length();
        while (from < to && isSpace(text.charAt(from))) {
            from++;
        }
        if (from == to) {
            throw new InvalidVersionException(SCHEME, text, "version string is empty");
        }
        while (isSpace(text.charAt(to - 1))) {
            to--;
        }
        String version = text.substring(from, to);
        if (version.chars().anyMatch(c -> isSpace((char) c))) {
            throw new InvalidVersionException(SCHEME, text, "version string has embedded spaces");
        }
        long epoch = 0;
        int colon = version.indexOf(':');
        if (colon >= 0) {
            epoch = parseEpoch(text, version.substring(0, colon));
            version = version.substring(colon + 1);
            if (version.isEmpty()) {
                throw new InvalidVersionException(SCHEME, text, "nothing after colon in version number");
            }
        }
        String revision = "";
        int hyphen = version.lastIndexOf('-');
        if (hyphen >= 0) {
            revision = version.substring(hyphen + 1);
            version = version.substring(0, hyphen);
            if (revision.isEmpty()) {
                throw new InvalidVersionException(SCHEME, text, "revision number is empty");
            }
        }
        if (version.isEmpty()) {
            throw new InvalidVersionException(SCHEME, text, "version number is empty");
        }
        return new DebianVersion(epoch, version, revision);
    }

    /** The epoch as C's strtol reads it (optional sign, decimal digits), within dpkg's bounds 0..INT_MAX. */
    private static long parseEpoch(String text, String epoch) {
        int i = 0;
        boolean negative = false;
        if (i < epoch.length() && (epoch.charAt(i) == '+' || epoch.charAt(i) == '-')) {
            negative = epoch.charAt(i) == '-';
            i++;
        }
        int digits = i;
        while (i < epoch.length() && isDigit(epoch.charAt(i))) {
            i++;
        }
        if (i == digits) {
            throw new InvalidVersionException(SCHEME, text, "epoch in version is empty");
        }
        if (i != epoch.length()) {
            throw new InvalidVersionException(SCHEME, text, "epoch in version is not number");
        }
        BigInteger value = new BigInteger(epoch.substring(digits));
        if (negative && value.signum() != 0) {
            throw new InvalidVersionException(SCHEME, text, "epoch in version is negative");
        }
        if (value.compareTo(MAX_EPOCH) > 0) {
            throw new InvalidVersionException(SCHEME, text, "epoch in version is too big");
        }
        return value.longValueExact();
    }

    /** -1, 0 or 1, like {@code dpkg --compare-versions}. */
    public static int compare(String a, String b) {
        return Integer.signum(parse(a).compareTo(parse(b)));
    }

    @Override
    public int compareTo(DebianVersion other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return (epoch != 0 ? epoch + ":" : "") + upstream + (revision.isEmpty() ? "" : "-" + revision);
    }

    /** dpkg's verrevcmp. */
    static int compareParts(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            int firstDiff = 0;
            while ((i < a.length() && !isDigit(a.charAt(i))) || (j < b.length() && !isDigit(b.charAt(j)))) {
                int ac = order(a, i);
                int bc = order(b, j);
                if (ac != bc) {
                    return ac - bc;
                }
                if (ac == NON_ASCII && a.charAt(i) != b.charAt(j)) {
                    // dpkg compares UTF-8 bytes; for two different characters that is code point order.
                    return Integer.compare(a.codePointAt(i), b.codePointAt(j));
                }
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') {
                i++;
            }
            while (j < b.length() && b.charAt(j) == '0') {
                j++;
            }
            while (i < a.length() && j < b.length() && isDigit(a.charAt(i)) && isDigit(b.charAt(j))) {
                if (firstDiff == 0) {
                    firstDiff = a.charAt(i) - b.charAt(j);
                }
                i++;
                j++;
            }
            if (i < a.length() && isDigit(a.charAt(i))) {
                return 1;
            }
            if (j < b.length() && isDigit(b.charAt(j))) {
                return -1;
            }
            if (firstDiff != 0) {
                return firstDiff;
            }
        }
        return 0;
    }

    /**
     * Sort weight of one character: '~' lowest, then end/digits, then letters, then non-ASCII characters
     * (dpkg sees their UTF-8 bytes as signed chars, so they weigh 128..255), then other ASCII symbols.
     */
    private static int order(String s, int index) {
        if (index >= s.length()) {
            return 0;
        }
        char c = s.charAt(index);
        if (isDigit(c)) {
            return 0;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            return c;
        }
        if (c == '~') {
            return -1;
        }
        return c < 128 ? c + 256 : NON_ASCII;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** C's isspace in the C locale, which dpkg uses: not Java's wider notion of whitespace. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
