package dev.patchtide.core.patching;

/**
 * A patch's state on a host, as Patch Manager defines them. Installed, installed-other and not-applicable
 * patches keep a host compliant; the others make it non-compliant.
 */
public enum PatchState {
    /** Installed, and approved by the baseline (listed in ApprovedPatches or matched by a rule). */
    INSTALLED(true),
    /** Installed, but not approved by the baseline. */
    INSTALLED_OTHER(true),
    /** Installed, but the host must reboot before it takes effect. */
    INSTALLED_PENDING_REBOOT(false),
    /** Installed although the baseline rejects it (RejectedPatchesAction BLOCK). */
    INSTALLED_REJECTED(false),
    /** Approved by the baseline, with an update available that is not installed. */
    MISSING(false),
    /** An attempt to install it failed. */
    FAILED(false),
    /** Named in the baseline's ApprovedPatches, but no such package is installed on the host. */
    NOT_APPLICABLE(true);

    private final boolean compliant;

    PatchState(boolean compliant) {
        this.compliant = compliant;
    }

    public boolean compliant() {
        return compliant;
    }
}
