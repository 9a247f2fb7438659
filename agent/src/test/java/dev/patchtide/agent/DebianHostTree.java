package dev.patchtide.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The few files of a Debian 12 host an agent reads, under a test's own root instead of /. */
public final class DebianHostTree {
    /** A dpkg status with one installed package. */
    public static final String ONE_PACKAGE =
            "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u10\n";

    private DebianHostTree() {}

    /** Writes os-release, dpkg's status ({@code dpkgStatus}) and architecture, and empty apt lists; returns root. */
    public static Path write(Path root, String dpkgStatus) throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/apt/lists"));
        Files.writeString(root.resolve("var/lib/dpkg/arch-native"), "amd64\n");
        Files.writeString(root.resolve("var/lib/dpkg/status"), dpkgStatus);
        return root;
    }
}
