package dev.patchtide.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The test PostgreSQL folders: each test JVM's is deleted when the JVM ends, and those of JVMs that were killed
 * (a cluster is hundreds of MB to a few GB; a machine running the suite all day filled its disk with them) are swept
 * by the next test JVM.
 */
final class LeftoverClusters {
    static final String PREFIX = "patchtide-test-pg";
    /** A folder younger than this may be another JVM's cluster still being created (no postmaster.pid yet). */
    private static final Duration SETTLING = Duration.ofMinutes(10);

    private LeftoverClusters() {}

    /** Deletes every test cluster folder under {@code parent} whose PostgreSQL is no longer running. */
    static void sweep(Path parent, Instant now) {
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path folder : folders) {
                if (isLeftover(folder, now)) {
                    delete(folder);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // A sweep is housekeeping: a folder that cannot be read or removed is left for the next one.
            System.err.println("test PostgreSQL: could not sweep " + parent + ": " + e.getMessage());
        }
    }

    static boolean isLeftover(Path folder, Instant now) throws IOException {
        if (!Files.isDirectory(folder)
                || Files.getLastModifiedTime(folder).toInstant().isAfter(now.minus(SETTLING))) {
            return false;
        }
        OptionalLong pid = postmasterPid(folder.resolve("cluster"));
        return pid.isEmpty() || ProcessHandle.of(pid.getAsLong()).isEmpty();
    }

    /** The first line of postmaster.pid, present while the cluster runs. */
    private static OptionalLong postmasterPid(Path cluster) throws IOException {
        Path pidFile = cluster.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return OptionalLong.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        try {
            return lines.isEmpty()
                    ? OptionalLong.empty()
                    : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    static void delete(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + folder, e);
        }
    }
}
