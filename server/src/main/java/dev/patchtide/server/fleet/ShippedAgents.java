package dev.patchtide.server.fleet;

import dev.patchtide.core.Version;
import dev.patchtide.core.version.DebianVersion;
import dev.patchtide.core.version.InvalidVersionException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent versions this server ships: the packages in its agent-package directory (the one
 * {@code GET /agent-packages/<file>} serves), read from their file names, which the packaging build writes as
 * dpkg and rpm name them ({@code patchtide-agent_<version>_<arch>.deb}, {@code
 * patchtide-agent-<version>-<release>.<arch>.rpm}). The latest shipped version is the highest of them; with no
 * package at all it is this server's own version, as the agent of the same build reports it.
 *
 * <p>The listing is read again only when the directory's modification time changes (a package added, removed
 * or renamed), and a file's SHA-256 only when its size or modification time changes.
 */
public final class ShippedAgents {
    private static final Logger log = LoggerFactory.getLogger(ShippedAgents.class);
    private static final Pattern DEB =
            Pattern.compile("^patchtide-agent_([0-9][0-9A-Za-z.+~]{0,63})_([a-z0-9]{1,16})\\.deb$");
    private static final Pattern RPM = Pattern.compile(
            "^patchtide-agent-([0-9][0-9A-Za-z.+~_]{0,63})-([0-9A-Za-z.+~_]{1,32})\\.([a-z0-9_]{1,16})\\.rpm$");

    /** One package file on the shelf, with what an agent checks its download against. */
    public record ShippedPackage(
            String fileName, String version, String format, String architecture, long size, String sha256) {}

    private record Listing(FileTime stamp, List<Path> files) {}

    private record Digest(long size, FileTime modified, String sha256) {}

    private final Optional<Path> directory;
    private final String fallback;
    private final Map<String, Digest> digests = new ConcurrentHashMap<>();
    private volatile Listing listing = new Listing(FileTime.fromMillis(Long.MIN_VALUE), List.of());

    /** @param fallback the version reported as latest when the directory holds no package */
    ShippedAgents(Optional<Path> directory, String fallback) {
        this.directory = directory;
        this.fallback = fallback;
    }

    /** The packages in {@code directory}; this server's own version when there are none. */
    public static ShippedAgents inDirectory(Path directory) {
        return new ShippedAgents(Optional.of(directory), Version.current());
    }

    /** No shelf at all: agents of this server's own version are the latest. */
    public static ShippedAgents none() {
        return new ShippedAgents(Optional.empty(), Version.current());
    }

    /** The highest version on the shelf (any format or architecture); the server's own when it is empty. */
    public String latestVersion() {
        return files().stream()
                .map(ShippedAgents::versionOf)
                .flatMap(Optional::stream)
                .max(ShippedAgents::compareVersions)
                .orElse(fallback);
    }

    /** Every package on the shelf with its size and SHA-256, newest first within a format and architecture. */
    public List<ShippedPackage> packages() {
        List<ShippedPackage> out = new ArrayList<>();
        for (Path file : files()) {
            String name = file.getFileName().toString();
            try {
                long size = Files.size(file);
                FileTime modified = Files.getLastModifiedTime(file);
                Digest digest = digests.get(name);
                if (digest == null
                        || digest.size() != size
                        || !digest.modified().equals(modified)) {
                    digest = new Digest(size, modified, sha256(file));
                    digests.put(name, digest);
                }
                Matcher deb = DEB.matcher(name);
                if (deb.matches()) {
                    out.add(new ShippedPackage(name, deb.group(1), "deb", deb.group(2), size, digest.sha256()));
                } else {
                    Matcher rpm = RPM.matcher(name);
                    if (rpm.matches()) {
                        out.add(new ShippedPackage(name, rpm.group(1), "rpm", rpm.group(3), size, digest.sha256()));
                    }
                }
            } catch (IOException e) {
                log.warn("cannot read agent package {}: {}", file, e.getMessage());
            }
        }
        out.sort(Comparator.comparing(ShippedPackage::format)
                .thenComparing(ShippedPackage::architecture)
                .thenComparing((a, b) -> compareVersions(b.version(), a.version())));
        return out;
    }

    private List<Path> files() {
        if (directory.isEmpty()) {
            return List.of();
        }
        Path dir = directory.get();
        FileTime stamp;
        try {
            stamp = Files.getLastModifiedTime(dir);
        } catch (IOException e) {
            return List.of(); // no directory: nothing shipped
        }
        Listing seen = listing;
        if (stamp.equals(seen.stamp())) {
            return seen.files();
        }
        try (Stream<Path> list = Files.list(dir)) {
            List<Path> files = list.filter(p -> versionOf(p).isPresent())
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
            listing = new Listing(stamp, files);
            return files;
        } catch (IOException e) {
            log.warn("cannot list agent packages in {}: {}", dir, e.getMessage());
            return List.of();
        }
    }

    private static Optional<String> versionOf(Path file) {
        String name = file.getFileName().toString();
        Matcher deb = DEB.matcher(name);
        if (deb.matches()) {
            return Optional.of(deb.group(1));
        }
        Matcher rpm = RPM.matcher(name);
        return rpm.matches() ? Optional.of(rpm.group(1)) : Optional.empty();
    }

    /** dpkg's order: what the packaging build writes is a plain dotted version, which rpm orders the same way. */
    static int compareVersions(String a, String b) {
        try {
            return DebianVersion.compare(a, b);
        } catch (InvalidVersionException e) {
            return a.compareTo(b);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
