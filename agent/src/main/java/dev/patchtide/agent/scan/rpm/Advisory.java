package dev.patchtide.agent.scan.rpm;

import java.util.List;

/**
 * One {@code <update>} of updateinfo.xml: an advisory (RHSA, ALAS, FEDORA-…, a SUSE patch) and the packages
 * that fix it.
 */
public record Advisory(
        String id, String type, String severity, String issued, List<String> cves, List<RpmPackage> packages) {

    /** Systems Manager's classification names for the RHEL family. */
    public String classification() {
        return switch (type) {
            case "security" -> "Security";
            case "bugfix" -> "Bugfix";
            case "enhancement" -> "Enhancement";
            case "newpackage" -> "Newpackage";
            default -> type.isEmpty() ? "Unspecified" : Character.toUpperCase(type.charAt(0)) + type.substring(1);
        };
    }

    /** Critical > Important > Moderate > Low > anything else. */
    public static int severityRank(String severity) {
        return switch (severity == null ? "" : severity) {
            case "Critical" -> 4;
            case "Important" -> 3;
            case "Moderate" -> 2;
            case "Low" -> 1;
            default -> 0;
        };
    }
}
