package dev.patchtide.agent.scan.zypper;

import java.util.List;

/**
 * One patch of a repository's updateinfo (SUSE-SLE-…-2026-1234, openSUSE-…): why (category), how urgent
 * (severity), and the builds that apply it.
 *
 * @param category security, recommended, optional, feature, document, yast… as the metadata writes it
 * @param severity critical, important, moderate, low, or empty when the patch gives none
 * @param issued seconds since the epoch, 0 when the metadata gives no date
 */
public record Patch(
        String id,
        String category,
        String severity,
        long issued,
        String summary,
        boolean rebootSuggested,
        List<String> cves,
        List<ZyppPackage> packages,
        String repository) {

    /** zypper counts optional and feature patches as optional: listed, but not needed unless asked for. */
    public boolean optional() {
        return category.equals("optional") || category.equals("feature");
    }

    /** Systems Manager's CLASSIFICATION value for SUSE: the category, capitalised (Security, Recommended…). */
    public String classification() {
        return category.isEmpty() ? "" : Character.toUpperCase(category.charAt(0)) + category.substring(1);
    }

    /** Systems Manager's SEVERITY value for SUSE: Critical, Important, Moderate, Low; empty when none is given. */
    public String severityName() {
        return severity.isEmpty() ? "" : Character.toUpperCase(severity.charAt(0)) + severity.substring(1);
    }

    /** Critical > Important > Moderate > Low > none. */
    int severityRank() {
        return switch (severity) {
            case "critical" -> 4;
            case "important" -> 3;
            case "moderate" -> 2;
            case "low" -> 1;
            default -> 0;
        };
    }
}
