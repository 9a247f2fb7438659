package dev.patchtide.agent.scan.zypper;

/** A patch's status as {@code zypper list-patches --all} prints it. */
public enum PatchStatus {
    /** An installed package it names is older than the patch's build. */
    NEEDED("needed"),
    /** Needed, but of an optional category (optional, feature): zypper leaves it out unless asked. */
    OPTIONAL("optional"),
    /** Every installed package it names is at the patch's build or newer. */
    APPLIED("applied"),
    /** It names no installed package. */
    NOT_NEEDED("not needed");

    private final String text;

    PatchStatus(String text) {
        this.text = text;
    }

    /** As zypper prints it. */
    public String text() {
        return text;
    }
}
