package dev.patchtide.agent.scan.apt;

import java.util.Map;

/**
 * Where a Packages index comes from, as apt pins and reports it: the fields of its Release file, the
 * component, and the site (host) it was fetched from.
 */
record ReleaseInfo(
        String origin,
        String label,
        String archive,
        String codename,
        String version,
        String component,
        String site,
        boolean notAutomatic,
        boolean butAutomaticUpgrades) {

    static ReleaseInfo of(Map<String, String> release, String component, String site) {
        return new ReleaseInfo(
                release.getOrDefault("Origin", ""),
                release.getOrDefault("Label", ""),
                release.getOrDefault("Suite", ""),
                release.getOrDefault("Codename", ""),
                release.getOrDefault("Version", ""),
                component,
                site,
                "yes".equalsIgnoreCase(release.get("NotAutomatic")),
                "yes".equalsIgnoreCase(release.get("ButAutomaticUpgrades")));
    }

    /** The file's priority when no pin applies (apt_preferences(5): 500, 1 for NotAutomatic, 100 if also ButAutomaticUpgrades). */
    int defaultPriority() {
        if (notAutomatic) {
            return butAutomaticUpgrades ? 100 : 1;
        }
        return 500;
    }

    /** How apt list names the archive: its suite (oldstable-security), else its codename. */
    String displayName() {
        return archive.isEmpty() ? codename : archive;
    }

    boolean isSecurity() {
        return archive.endsWith("-security") || label.equals("Debian-Security") || codename.endsWith("-security");
    }
}
