package dev.patchtide.agent.scan.zypper;

import dev.patchtide.agent.scan.rpm.RpmDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The installed RPMs of a tree with their vendors, which zypper's updates must keep: the shared {@link
 * RpmDatabase} finds the tree's database and gives the rpm command on it; the query adds {@code %{VENDOR}}.
 */
public final class InstalledRpms {
    static final String QUERY_FORMAT =
            "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{VENDOR}\\t%{INSTALLTIME}\\n";

    /** A big installation prints a few MB; far more is not rpm's answer. */
    static final int MAX_OUTPUT = 64 << 20;

    /** One installed package, with when it was installed. */
    public record Installed(ZyppPackage pkg, Optional<Instant> installedTime) {}

    private InstalledRpms() {}

    public static List<Installed> read(Path root) throws IOException {
        RpmDatabase db = RpmDatabase.of(root)
                .orElseThrow(() -> new IOException(
                        "no rpm database under " + root + " (looked in usr/lib/sysimage/rpm and var/lib/rpm)"));
        List<String> command = new ArrayList<>(db.rpmCommand());
        command.addAll(List.of("-qa", "--queryformat", QUERY_FORMAT));
        return parse(run(command));
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
                    throw new IOException("rpm printed more than " + MAX_OUTPUT + " bytes: not a package list");
                }
                out.write(buffer, 0, n);
            }
            if (!rpm.waitFor(300, TimeUnit.SECONDS)) {
                rpm.destroyForcibly();
                throw new IOException("rpm -qa did not finish in 300 s");
            }
            if (rpm.exitValue() != 0) {
                throw new IOException("rpm -qa failed with exit code " + rpm.exitValue());
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            rpm.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running rpm -qa", e);
        }
    }
}
