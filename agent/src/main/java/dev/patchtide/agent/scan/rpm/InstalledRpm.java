package dev.patchtide.agent.scan.rpm;

import java.time.Instant;
import java.util.Optional;

/** A package of the rpm database, with when it was installed (the inventory and the reboot check use it). */
public record InstalledRpm(RpmPackage pkg, Optional<Instant> installTime) {}
