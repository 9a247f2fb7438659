package dev.patchtide.core.version;

import java.util.Comparator;

/**
 * A Debian package version, {@code [epoch:]upstream_version[-debian_revision]}, ordered exactly as Debian
 * Policy §5.6.12 and dpkg define: epochs numerically, then upstream version and revision by alternating
 * non-digit parts (letters before non-letters, {@code ~} before everything, even the end) and digit
 * parts (numerically). A missing revision compares like "0".
 */
public record DebianVersion(long epoch, String upstream, String revision) implements Comparable<DebianVersion> {
    private static final String SCHEME = "Debian";
    private static final Comparator<DebianVersion> ORDER = Comparator.comparingLong(DebianVersion::epoch)
            .thenComparing(DebianVersion::upstream, DebianVersion::compareParts)
            .thenComparing(DebianVersion::revision, DebianVersion::compareParts);

    /** Parses and validates like dpkg does; throws {@link InvalidVersionException} naming the fault. */
    public static DebianVersion parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidVersionException(SCHEME, String.valueOf(text), "version string is empty");
        }
        String version = text.strip();
        if (version.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidVersionException(SCHEME, text, "version string has embedded spaces");
        }
        long epoch = 0;
        int colon = version.indexOf(':');
        if (colon >= 0) {
            String epochText = version.substring(0, colon);
            if (epochText.isEmpty() || !epochText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new InvalidVersionException(SCHEME, text, "epoch in version is not a number");
            }
            if (epochText.length() > 9) {
                throw new InvalidVersionException(SCHEME, text, "epoch in version is too big");
            }
            epoch = Long.parseLong(epochText);
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
            throw new InvalidVersionException(SCHEME, text, "upstream version is empty");
        }
        if (!Character.isDigit(version.charAt(0))) {
            throw new InvalidVersionException(SCHEME, text, "version number does not start with digit");
        }
        for (char c : version.toCharArray()) {
            if (!isAsciiAlnum(c) && ".-+~:".indexOf(c) < 0) {
                throw new InvalidVersionException(SCHEME, text, "invalid character '" + c + "' in version number");
            }
        }
        for (char c : revision.toCharArray()) {
            if (!isAsciiAlnum(c) && ".+~".indexOf(c) < 0) {
                throw new InvalidVersionException(SCHEME, text, "invalid character '" + c + "' in revision number");
            }
        }
        return new DebianVersion(epoch, version, revision);
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

    /** Sort weight of one character: '~' lowest, then end/digits, then letters, then other symbols. */
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
        return c + 256;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiAlnum(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
