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

    public static String canonical(List<InstalledPackage> packages) {
        List<InstalledPackage> sorted = new ArrayList<>(packages);
        sorted.sort(ORDER);
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

    /** Reads {@link #canonical} text back. */
    public static List<InstalledPackage> parse(String canonical) {
        List<InstalledPackage> packages = new ArrayList<>();
        for (String line : canonical.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                throw new IllegalArgumentException("inventory line is not name, arch, version, time: " + line);
            }
            packages.add(new InstalledPackage(
                    f[0],
                    f[1],
                    f[2],
                    f[3].isEmpty() ? Optional.empty() : Optional.of(Instant.ofEpochSecond(Long.parseLong(f[3])))));
        }
        return packages;
    }
}
