package dev.patchtide.core.patching;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** One package's state on a host, with what Patch Manager reports about it. */
public record PatchStateVerdict(
        PatchState state,
        String title,
        String kbId,
        String classification,
        String severity,
        String complianceLevel,
        boolean security,
        List<String> cves,
        Optional<Instant> installedTime) {}
