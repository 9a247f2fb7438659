package dev.patchtide.agent.scan.zypper;

import java.util.List;

/** What zypper's view of a tree holds: the updates ({@code list-updates}) and every patch with its status. */
public record ZypperScan(List<ZypperUpdate> updates, List<PatchEntry> patches) {

    /** A patch and its status on this tree ({@code list-patches --all}). */
    public record PatchEntry(Patch patch, PatchStatus status) {}
}
