package dev.patchtide.agent.scan.rpm;

import dev.patchtide.core.version.RpmVersion;
import java.util.ArrayList;
import java.util.List;

/** An RPM package: name, architecture and epoch:version-release. */
public record RpmPackage(String name, String arch, String epoch, String version, String release) {

    /** The query format the agent asks {@code rpm -qa} for; {@link #parseQueryOutput} reads it back. */
    public static final String QUERY_FORMAT = "%{NAME}\\t%{EPOCHNUM}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\n";

    public RpmVersion evr() {
        return RpmVersion.parse(epoch + ":" + version + "-" + release);
    }

    /** {@code 1:3.0.7-27.el9}, with the epoch only when it is not 0, as dnf prints it. */
    public String evrText() {
        return (epoch.equals("0") ? "" : epoch + ":") + version + "-" + release;
    }

    /** Reads {@code rpm -qa --queryformat QUERY_FORMAT}; gpg-pubkey pseudo-packages are skipped. */
    public static List<RpmPackage> parseQueryOutput(String output) {
        List<RpmPackage> packages = new ArrayList<>();
        int lineNumber = 0;
        for (String line : output.split("\n")) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 5) {
                throw new IllegalArgumentException(
                        "rpm query output line " + lineNumber + " has " + f.length + " fields, expected 5: " + line);
            }
            if (f[0].equals("gpg-pubkey")) {
                continue;
            }
            RpmPackage p = new RpmPackage(f[0], f[4], f[1].equals("(none)") ? "0" : f[1], f[2], f[3]);
            p.evr(); // validates, naming the line's version if it is malformed
            packages.add(p);
        }
        return packages;
    }
}
