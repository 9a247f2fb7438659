package dev.patchtide.core.patching;

import java.time.Instant;
import java.util.Optional;

/** A package installed on a host: name, architecture, version, and when it was installed if the OS records it. */
public record InstalledPackage(String name, String arch, String version, Optional<Instant> installedTime) {

    /** The patch id Patch Manager shows for Linux packages: {@code name.arch:version}. */
    public String kbId() {
        return name + "." + arch + ":" + version;
    }
}
