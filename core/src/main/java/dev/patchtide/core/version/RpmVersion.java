package dev.patchtide.core.version;

import java.util.Optional;

/**
 * An RPM {@code [epoch:]version[-release]}, ordered as rpm does: the epoch (missing means 0), then the
 * version, then the release when both sides have one, each compared with {@link #rpmvercmp}.
 */
public record RpmVersion(String epoch, String version, Optional<String> release) implements Comparable<RpmVersion> {
    private static final String SCHEME = "RPM";

    public static RpmVersion parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidVersionException(SCHEME, String.valueOf(text), "version string is empty");
        }
        String rest = text.strip();
        if (rest.chars().anyMatch(Character::isWhitespace)) {
            throw new InvalidVersionException(SCHEME, text, "version string has embedded spaces");
        }
        String epoch = "0";
        int colon = rest.indexOf(':');
        if (colon >= 0) {
            epoch = rest.substring(0, colon);
            if (epoch.isEmpty() || !epoch.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new InvalidVersionException(SCHEME, text, "epoch '" + epoch + "' is not a number");
            }
            rest = rest.substring(colon + 1);
        }
        Optional<String> release = Optional.empty();
        int hyphen = rest.lastIndexOf('-');
        if (hyphen >= 0) {
            release = Optional.of(rest.substring(hyphen + 1));
            rest = rest.substring(0, hyphen);
            checkLabel(text, "release", release.get());
        }
        checkLabel(text, "version", rest);
        return new RpmVersion(epoch, rest, release);
    }

    /** -1, 0 or 1. */
    public static int compare(String a, String b) {
        return parse(a).compareTo(parse(b));
    }

    @Override
    public int compareTo(RpmVersion other) {
        int rc = rpmvercmp(epoch, other.epoch);
        if (rc == 0) {
            rc = rpmvercmp(version, other.version);
        }
        if (rc == 0 && release.isPresent() && other.release.isPresent()) {
            rc = rpmvercmp(release.get(), other.release.get());
        }
        return rc;
    }

    @Override
    public String toString() {
        return (epoch.equals("0") ? "" : epoch + ":")
                + version
                + release.map(r -> "-" + r).orElse("");
    }

    private static void checkLabel(String text, String part, String label) {
        if (label.isEmpty()) {
            throw new InvalidVersionException(SCHEME, text, part + " is empty");
        }
        for (char c : label.toCharArray()) {
            if (!isAlnum(c) && "._+~^".indexOf(c) < 0) {
                throw new InvalidVersionException(SCHEME, text, "invalid character '" + c + "' in " + part);
            }
        }
    }

    /**
     * rpm's segment comparison: separators are skipped; '~' sorts before anything, even the end; '^'
     * sorts after the end but before anything else; numeric segments compare as numbers and beat
     * alphabetic ones; alphabetic segments compare as strings.
     */
    static int rpmvercmp(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            while (i < a.length() && !isAlnum(a.charAt(i)) && a.charAt(i) != '~' && a.charAt(i) != '^') {
                i++;
            }
            while (j < b.length() && !isAlnum(b.charAt(j)) && b.charAt(j) != '~' && b.charAt(j) != '^') {
                j++;
            }
            char ca = i < a.length() ? a.charAt(i) : 0;
            char cb = j < b.length() ? b.charAt(j) : 0;
            if (ca == '~' || cb == '~') {
                if (ca != '~') {
                    return 1;
                }
                if (cb != '~') {
                    return -1;
                }
                i++;
                j++;
                continue;
            }
            if (ca == '^' || cb == '^') {
                if (ca == 0) {
                    return -1;
                }
                if (cb == 0) {
                    return 1;
                }
                if (ca != '^') {
                    return 1;
                }
                if (cb != '^') {
                    return -1;
                }
                i++;
                j++;
                continue;
            }
            if (ca == 0 || cb == 0) {
                break;
            }
            boolean numeric = isDigit(ca);
            int endA = i;
            int endB = j;
            while (endA < a.length() && (numeric ? isDigit(a.charAt(endA)) : isAlpha(a.charAt(endA)))) {
                endA++;
            }
            while (endB < b.length() && (numeric ? isDigit(b.charAt(endB)) : isAlpha(b.charAt(endB)))) {
                endB++;
            }
            if (endB == j) {
                // Segments of different kinds: a number is newer than letters.
                return numeric ? 1 : -1;
            }
            String segA = a.substring(i, endA);
            String segB = b.substring(j, endB);
            if (numeric) {
                segA = stripLeadingZeros(segA);
                segB = stripLeadingZeros(segB);
                if (segA.length() != segB.length()) {
                    return segA.length() > segB.length() ? 1 : -1;
                }
            }
            int rc = segA.compareTo(segB);
            if (rc != 0) {
                return rc < 0 ? -1 : 1;
            }
            i = endA;
            j = endB;
        }
        boolean aDone = i >= a.length();
        boolean bDone = j >= b.length();
        if (aDone && bDone) {
            return 0;
        }
        return aDone ? -1 : 1;
    }

    private static String stripLeadingZeros(String digits) {
        int k = 0;
        while (k < digits.length() - 1 && digits.charAt(k) == '0') {
            k++;
        }
        return digits.substring(k);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAlnum(char c) {
        return isDigit(c) || isAlpha(c);
    }
}
