package dev.patchtide.agent.scan.zypper;

import dev.patchtide.core.version.RpmVersion;

/** An RPM as zypper weighs it: name, architecture, epoch:version-release and the vendor that built it. */
public record ZyppPackage(String name, String arch, String epoch, String version, String release, String vendor) {

    public RpmVersion evr() {
        return RpmVersion.parse(epoch + ":" + version + "-" + release);
    }

    /** {@code 1:2.0-1}, the epoch only when it is not 0, as zypper prints an edition. */
    public String edition() {
        return (epoch.equals("0") ? "" : epoch + ":") + version + "-" + release;
    }
}
