package dev.patchtide.agent.scan.zypper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The installed RPMs of a tree, read by the host's {@code rpm} from the tree's own database: {@code --root}
 * for the tree and {@code --dbpath} where the tree keeps it (SUSE: /usr/lib/sysimage/rpm; older: /var/lib/rpm),
 * so the host's rpm configuration (Debian's points at ~/.rpmdb) does not decide which database is read.
 */
public final class RpmDatabase {
    static final String QUERY_FORMAT = "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\t%{INSTALLTIME}\\n";

    /** One installed package, with when it was installed. */
    public record Installed(ZyppPackage pkg, Optional<Instant> installedTime) {}

    private RpmDatabase() {}

    /** The database folder inside the tree, as an absolute path within it ("/usr/lib/sysimage/rpm"). */
    public static Optional<String> dbPath(Path root) {
        for (String candidate : List.of("usr/lib/sysimage/rpm", "var/lib/rpm")) {
            Path dir = root.resolve(candidate);
            for (String db : List.of("rpmdb.sqlite", "Packages.db", "Packages")) {
                if (Files.isRegularFile(dir.resolve(db))) {
                    return Optional.of("/" + candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Whether the tree at {@code root} has an rpm database. */
    public static boolean present(Path root) {
        return dbPath(root).isPresent();
    }

    /** The command that lists the tree's packages (the host's rpm on the tree's database). */
    static List<String> queryCommand(Path root) throws IOException {
        String db = dbPath(root).orElseThrow(() -> new IOException("no rpm database under " + root
                + " (looked in usr/lib/sysimage/rpm and var/lib/rpm)"));
        List<String> command = new ArrayList<>(List.of("rpm"));
        if (!root.toAbsolutePath().normalize().equals(Path.of("/"))) {
            command.addAll(List.of("--root", root.toAbsolutePath().toString()));
        }
        command.addAll(List.of("--dbpath", db, "-qa", "--queryformat", QUERY_FORMAT));
        return command;
    }

    public static List<Installed> read(Path root) throws IOException {
        Process rpm = new ProcessBuilder(queryCommand(root))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        rpm.getOutputStream().close();
        String out = new String(rpm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (rpm.waitFor() != 0) {
                throw new IOException("rpm -qa on " + root + " failed with exit code " + rpm.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running rpm -qa", e);
        }
        return parse(out);
    }

    /** Reads rpm's output in {@link #QUERY_FORMAT}; gpg-pubkey pseudo-packages are not packages. */
    static List<Installed> parse(String output) {
        List<Installed> installed = new ArrayList<>();
        int lineNumber = 0;
        for (String line : output.split("\n")) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != 7) {
                throw new IllegalArgumentException(
                        "rpm query output line " + lineNumber + " has " + f.length + " fields, expected 7");
            }
            if (f[0].equals("gpg-pubkey")) {
                continue;
            }
            ZyppPackage p = new ZyppPackage(
                    f[0], f[4], f[1].equals("(none)") ? "0" : f[1], f[2], f[3], f[5].equals("(none)") ? "" : f[5]);
            p.evr(); // validates, naming the version if it is malformed
            Optional<Instant> time = f[6].matches("\\d{1,12}")
                    ? Optional.of(Instant.ofEpochSecond(Long.parseLong(f[6])))
                    : Optional.empty();
            installed.add(new Installed(p, time));
        }
        return installed;
    }
}
