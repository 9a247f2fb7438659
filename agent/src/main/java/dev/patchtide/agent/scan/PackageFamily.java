package dev.patchtide.agent.scan;

import dev.patchtide.agent.scan.rpm.RpmDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The package manager a host tree answers to, told by the package database it holds: the scan, the install and
 * the reboot check each pick their backend from this, for "/" as for a mounted tree.
 */
public enum PackageFamily {
    /** dpkg's status file: Debian, Ubuntu, Raspbian. */
    APT,
    /** An rpm database, no zypper repositories: RHEL, Rocky, Alma, Oracle Linux, CentOS, Amazon Linux, Fedora. */
    DNF,
    /** An rpm database and zypper's repositories (etc/zypp/repos.d): SLES, openSUSE. */
    ZYPPER;

    /** The family of the tree at {@code root}; empty when it holds no package database Patchtide reads. */
    public static Optional<PackageFamily> of(Path root) {
        if (Files.exists(root.resolve("var/lib/dpkg/status"))) {
            return Optional.of(APT);
        }
        if (RpmDatabase.of(root).isPresent()) {
            // zypper hosts have an rpm database too; their repositories are zypper's
            return Optional.of(Files.isDirectory(root.resolve("etc/zypp/repos.d")) ? ZYPPER : DNF);
        }
        return Optional.empty();
    }

    /** As {@link #of}, or an error naming what was looked for. */
    public static PackageFamily require(Path root) {
        return of(root).orElseThrow(() -> new IllegalStateException("no package database under " + root
                + ": neither dpkg's (var/lib/dpkg/status) nor rpm's (usr/lib/sysimage/rpm, var/lib/rpm)"));
    }
}
