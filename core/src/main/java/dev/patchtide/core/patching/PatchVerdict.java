package dev.patchtide.core.patching;

/** An available patch the baseline approves: it is MISSING until installed, at this compliance level. */
public record PatchVerdict(AvailablePatch patch, String complianceLevel, String approvedBy) {}
