package dev.patchtide.core.patching;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A host's installed packages in one canonical text form (sorted lines of name, arch, version and install
 * time in epoch seconds, tab-separated), and its SHA-256: agent and server compute the same hash, so an
 * agent sends its full inventory only when the hash changed.
 */
public final class Inventory {
    private static final Comparator<InstalledPackage> ORDER = Comparator.comparing(InstalledPackage::name)
            .thenComparing(InstalledPackage::arch)
            .thenComparing(InstalledPackage::version);

    private Inventory() {}

    /** The packages in canonical order (by name, arch, version; equal ones as given). */
    public static List<InstalledPackage> sorted(List<InstalledPackage> packages) {
        List<InstalledPackage> sorted = new ArrayList<>(packages);
        sorted.sort(ORDER);
        return sorted;
    }

    public static String canonical(List<InstalledPackage> packages) {
        List<InstalledPackage> sorted = sorted(packages);
        StringBuilder text = new StringBuilder(sorted.size() * 48);
        for (InstalledPackage p : sorted) {
            text.append(p.name())
                    .append('\t')
                    .append(p.arch())
                    .append('\t')
                    .append(p.version())
                    .append('\t')
                    .append(p.installedTime()
                            .map(t -> String.valueOf(t.getEpochSecond()))
                            .orElse(""))
                    .append('\n');
        }
        return text.toString();
    }

    public static String hash(List<InstalledPackage> packages) {
        return sha256(canonical(packages));
    }

    public static String sha256(String canonical) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * Reads {@link #canonical} text back. By hand rather than with {@code split}: the server unpacks a stored
     * inventory (~1,500 lines) for every changed scan report.
     */
    public static List<InstalledPackage> parse(String canonical) {
        List<InstalledPackage> packages = new ArrayList<>(canonical.length() / 40);
        int at = 0;
        String lastArch = "";
        while (at < canonical.length()) {
            int end = canonical.indexOf('\n', at);
            if (end < 0) {
                end = canonical.length();
            }
            if (end == at) {
                at = end + 1;
                continue;
            }
            int t1 = tab(canonical, at, end);
            int t2 = t1 < 0 ? -1 : tab(canonical, t1 + 1, end);
            int t3 = t2 < 0 ? -1 : tab(canonical, t2 + 1, end);
            if (t3 < 0 || tab(canonical, t3 + 1, end) >= 0) {
                throw new IllegalArgumentException(
                        "inventory line is not name, arch, version, time: " + canonical.substring(at, end));
            }
            // Few distinct archs: share the string with the previous line's when equal.
            String arch =
                    canonical.regionMatches(t1 + 1, lastArch, 0, lastArch.length()) && t2 - t1 - 1 == lastArch.length()
                            ? lastArch
                            : canonical.substring(t1 + 1, t2);
            lastArch = arch;
            packages.add(new InstalledPackage(
                    canonical.substring(at, t1),
                    arch,
                    canonical.substring(t2 + 1, t3),
                    t3 + 1 == end
                            ? Optional.empty()
                            : Optional.of(Instant.ofEpochSecond(Long.parseLong(canonical, t3 + 1, end, 10)))));
            at = end + 1;
        }
        return packages;
    }

    /**
     * The packages of {@link #canonical} text whose names are among {@code names}, in the text's order, without
     * reading the other lines: the text is sorted by name, so each name is found by a binary search over its
     * lines. A changed scan report needs only the few packages its updates name.
     */
    public static List<InstalledPackage> named(String canonical, java.util.Collection<String> names) {
        List<InstalledPackage> out = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(names)) {
            // The first line whose name is not below the wanted one: lines starting before lo are below it, lines
            // starting at hi (a line start, or the end) are not.
            int lo = 0;
            int hi = canonical.length();
            while (lo < hi) {
                int mid = lineStart(canonical, lo + (hi - lo) / 2);
                if (compareName(canonical, mid, name) < 0) {
                    lo = lineEnd(canonical, mid) + 1;
                } else {
                    hi = mid;
                }
            }
            int at = hi;
            while (at < canonical.length() && compareName(canonical, at, name) == 0) {
                int end = lineEnd(canonical, at);
                out.addAll(parse(canonical.substring(at, end)));
                at = end + 1;
            }
        }
        return out;
    }

    private static int lineStart(String text, int at) {
        return at == 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1;
    }

    private static int lineEnd(String text, int at) {
        int end = text.indexOf('\n', at);
        return end < 0 ? text.length() : end;
    }

    /** The name of the line starting at {@code at} compared with {@code name}, as String.compareTo orders them. */
    private static int compareName(String text, int at, String name) {
        int tab = text.indexOf('\t', at);
        int end = tab < 0 ? lineEnd(text, at) : Math.min(tab, lineEnd(text, at));
        int length = end - at;
        int n = Math.min(length, name.length());
        for (int i = 0; i < n; i++) {
            int d = text.charAt(at + i) - name.charAt(i);
            if (d != 0) {
                return d;
            }
        }
        return length - name.length();
    }

    /** The first tab in [from, end), or -1. */
    private static int tab(String text, int from, int end) {
        int i = text.indexOf('\t', from);
        return i < end ? i : -1;
    }
}
