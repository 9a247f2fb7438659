package dev.patchtide.agent.scan.rpm;

import java.time.Instant;
import java.util.Optional;

/**
 * A package of the rpm database, with its vendor (empty when it has none: zypper keeps a package with its vendor)
 * and when it was installed (the inventory and the reboot check use it).
 */
public record InstalledRpm(RpmPackage pkg, String vendor, Optional<Instant> installTime) {

    /** A package without a vendor. */
    public InstalledRpm(RpmPackage pkg, Optional<Instant> installTime) {
        this(pkg, "", installTime);
    }
}
