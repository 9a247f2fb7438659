package dev.patchtide.agent.scan.rpm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The rpm database of a host tree, read with the real {@code rpm --root ROOT --dbpath DB -qa}: rpm alone reads
 * its database exactly (sqlite, ndb or Berkeley DB, whatever the distribution chose), with the epoch, version,
 * release and architecture as rpm itself orders them. The database is looked for where rpm-family distributions
 * keep it, and named to rpm explicitly, because the default of the rpm running the query may differ (Debian's
 * rpm keeps its own in {@code ~/.rpmdb}). Shared by the dnf and zypper backends.
 */
public final class RpmDatabase {
    /** Where distributions keep the database, newest layout first ({@code /var/lib/rpm} may link to it). */
    static final List<String> LOCATIONS = List.of("usr/lib/sysimage/rpm", "var/lib/rpm");

    private static final List<String> DATABASE_FILES = List.of("rpmdb.sqlite", "Packages.db", "Packages");

    /** A host with every package of a big distribution installed prints a few MB: far more is not rpm's answer. */
    static final int MAX_OUTPUT = 64 << 20;

    private static final long TIMEOUT_SECONDS = 300;

    static final String FORMAT = "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{INSTALLTIME}\\n";

    private final Path root;
    private final String dbPath;

    private RpmDatabase(Path root, String dbPath) {
        this.root = root;
        this.dbPath = dbPath;
    }

    /** The rpm database of the tree at {@code root}, if it has one. */
    public static Optional<RpmDatabase> of(Path root) {
        for (String location : LOCATIONS) {
            for (String file : DATABASE_FILES) {
                if (Files.isRegularFile(root.resolve(location).resolve(file))) {
                    return Optional.of(new RpmDatabase(root, "/" + location));
                }
            }
        }
        return Optional.empty();
    }

    public Path root() {
        return root;
    }

    /** The database's folder as rpm's {@code --dbpath} takes it: inside the root, from its top. */
    public String dbPath() {
        return dbPath;
    }

    /** {@code rpm --root ROOT --dbpath DB}: the start of every rpm command on this database. */
    public List<String> rpmCommand() {
        return List.of("rpm", "--root", root.toAbsolutePath().toString(), "--dbpath", dbPath);
    }

    /** Every installed package but the gpg-pubkey pseudo-packages. */
    public List<InstalledRpm> installed() throws IOException {
        List<String> command = new ArrayList<>(rpmCommand());
        command.addAll(List.of("-qa", "--queryformat", FORMAT));
        return parse(run(command));
    }

    /**
     * The version the package providing {@code system-release(releasever)} gives, as dnf detects {@code
     * $releasever}; empty when no installed package provides it.
     */
    public Optional<String> releaseVersion() throws IOException {
        List<String> command = new ArrayList<>(rpmCommand());
        command.addAll(List.of(
                "-q",
                "--whatprovides",
                "system-release(releasever)",
                "--queryformat",
                "[%{PROVIDENAME}\\t%{PROVIDEVERSION}\\n]%{NAME}\\t%{VERSION}\\n"));
        String out;
        try {
            out = run(command);
        } catch (RpmFailed e) {
            return Optional.empty(); // rpm exits 1 when nothing provides it
        }
        String packageVersion = null;
        for (String line : out.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 2 && f[0].equals("system-release(releasever)") && !f[1].isBlank()) {
                return Optional.of(f[1].strip());
            }
            if (f.length == 2 && !f[0].contains("(")) {
                packageVersion = f[1].strip();
            }
        }
        return Optional.ofNullable(packageVersion);
    }

    /** Reads {@link #FORMAT} lines; a malformed line is an error naming it, not a package skipped. */
    static List<InstalledRpm> parse(String output) {
        List<InstalledRpm> packages = new ArrayList<>();
        int lineNumber = 0;
        for (String line : output.split("\n")) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 6) {
                throw new IllegalArgumentException(
                        "rpm query output line " + lineNumber + " has " + f.length + " fields, expected 6");
            }
            if (f[0].equals("gpg-pubkey")) {
                continue;
            }
            RpmPackage p = new RpmPackage(f[0], f[4], f[1].equals("(none)") ? "0" : f[1], f[2], f[3]);
            p.evr(); // validates, naming the version if it is malformed
            Optional<Instant> time = f[5].matches("\\d{1,12}")
                    ? Optional.of(Instant.ofEpochSecond(Long.parseLong(f[5])))
                    : Optional.empty();
            packages.add(new InstalledRpm(p, time));
        }
        return packages;
    }

    /** rpm's non-zero exit. */
    static final class RpmFailed extends IOException {
        RpmFailed(String message) {
            super(message);
        }
    }

    private static String run(List<String> command) throws IOException {
        Process rpm = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        rpm.getOutputStream().close();
        try (InputStream in = rpm.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (out.size() + n > MAX_OUTPUT) {
                    rpm.destroyForcibly();
                    throw new IOException("rpm printed more than " + MAX_OUTPUT + " bytes for " + command.get(5)
                            + ": not a package list; stopped");
                }
                out.write(buffer, 0, n);
            }
            if (!rpm.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                rpm.destroyForcibly();
                throw new IOException("rpm did not finish in " + TIMEOUT_SECONDS + " s");
            }
            if (rpm.exitValue() != 0) {
                throw new RpmFailed("rpm " + String.join(" ", command.subList(5, command.size()))
                        + " failed with exit code " + rpm.exitValue());
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            rpm.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running rpm", e);
        }
    }
}
