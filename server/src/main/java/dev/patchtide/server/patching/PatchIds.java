package dev.patchtide.server.patching;

import dev.patchtide.server.patching.ScanMessages.ReportedPatch;

/**
 * Whether a patch id names an available update, as install override lists and exclusion lists give them: a
 * package name ({@code openssl}), name and architecture ({@code openssl.amd64}), or either with the version
 * after a colon ({@code openssl.amd64:3.0.15-1~deb12u1}, the KB id DescribeInstancePatches shows); each part
 * may use {@code *} and {@code ?} as baselines' patch lists do.
 */
final class PatchIds {
    private PatchIds() {}

    static boolean names(String id, ReportedPatch p) {
        int colon = id.indexOf(':');
        String pkg = colon < 0 ? id : id.substring(0, colon);
        if (colon >= 0 && !glob(id.substring(colon + 1), p.availableVersion())) {
            return false;
        }
        return glob(pkg, p.name()) || glob(pkg, p.name() + "." + p.arch());
    }

    /** Whether {@code value} matches {@code pattern}, where * is any run of characters and ? any one. */
    static boolean glob(String pattern, String value) {
        // The classic two-pointer match: on a mismatch, let the last * swallow one more character. O(n·m).
        int p = 0;
        int v = 0;
        int star = -1;
        int resume = 0;
        while (v < value.length()) {
            if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == value.charAt(v))) {
                p++;
                v++;
            } else if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = v;
            } else if (star >= 0) {
                p = star + 1;
                v = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    /** The id DescribeInstancePatches shows for the update (its KB id). */
    static String kbId(ReportedPatch p) {
        return p.name() + "." + p.arch() + ":" + p.availableVersion();
    }
}
