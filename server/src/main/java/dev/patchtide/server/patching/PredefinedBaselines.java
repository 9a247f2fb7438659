package dev.patchtide.server.patching;

import dev.patchtide.server.patching.BaselineMessages.Definition;
import dev.patchtide.server.patching.BaselineMessages.PatchFilter;
import dev.patchtide.server.patching.BaselineMessages.PatchFilterGroup;
import dev.patchtide.server.patching.BaselineMessages.PatchRule;
import dev.patchtide.server.patching.BaselineMessages.PatchRuleGroup;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baselines every server starts with, one per Linux operating system, with the names and approval rules of
 * Systems Manager's predefined ones:
 *
 * <ul>
 *   <li>Debian, Ubuntu, Raspbian: every update of the security archive, of any priority, at once;
 *   <li>Red Hat, Rocky, Alma, Amazon Linux (1, 2, 2022, 2023): Security of Critical or Important severity, and
 *       Bugfix, seven days after release;
 *   <li>Oracle Linux: Security of Important or Moderate severity, and Bugfix, seven days after release;
 *   <li>CentOS (Linux and Stream): every update, security or not, seven days after release;
 *   <li>SUSE: Security of Critical or Important severity, seven days after release.
 * </ul>
 */
final class PredefinedBaselines {
    private PredefinedBaselines() {}

    private static final List<String> DEB_PRIORITIES =
            List.of("Required", "Important", "Standard", "Optional", "Extra");

    /** How a predefined baseline approves, by operating system. */
    private enum Approval {
        DEBIAN_SECURITY_ARCHIVE,
        SECURITY_CRITICAL_IMPORTANT_AND_BUGFIX,
        SECURITY_IMPORTANT_MODERATE_AND_BUGFIX,
        EVERYTHING,
        SECURITY_CRITICAL_IMPORTANT
    }

    private record Predefined(String name, Approval approval) {}

    private static final Map<String, Predefined> BY_OS = table();

    private static Map<String, Predefined> table() {
        Map<String, Predefined> t = new LinkedHashMap<>();
        t.put("DEBIAN", new Predefined("AWS-DebianDefaultPatchBaseline", Approval.DEBIAN_SECURITY_ARCHIVE));
        t.put("UBUNTU", new Predefined("AWS-UbuntuDefaultPatchBaseline", Approval.DEBIAN_SECURITY_ARCHIVE));
        t.put("RASPBIAN", new Predefined("AWS-RaspbianDefaultPatchBaseline", Approval.DEBIAN_SECURITY_ARCHIVE));
        t.put(
                "REDHAT_ENTERPRISE_LINUX",
                new Predefined("AWS-RedHatDefaultPatchBaseline", Approval.SECURITY_CRITICAL_IMPORTANT_AND_BUGFIX));
        t.put(
                "ROCKY_LINUX",
                new Predefined("AWS-RockyLinuxDefaultPatchBaseline", Approval.SECURITY_CRITICAL_IMPORTANT_AND_BUGFIX));
        t.put(
                "ALMA_LINUX",
                new Predefined("AWS-AlmaLinuxDefaultPatchBaseline", Approval.SECURITY_CRITICAL_IMPORTANT_AND_BUGFIX));
        t.put(
                "AMAZON_LINUX",
                new Predefined("AWS-AmazonLinuxDefaultPatchBaseline", Approval.SECURITY_CRITICAL_IMPORTANT_AND_BUGFIX));
        t.put(
                "AMAZON_LINUX_2",
                new Predefined(
                        "AWS-AmazonLinux2DefaultPatchBaseline", Approval.SECURITY_CRITICAL_IMPORTANT_AND_BUGFIX));
        t.put(
                "AMAZON_LINUX_2022",
                new Predefined(
                        "AWS-AmazonLinux2022DefaultPatchBaseline", Approval.SECURITY_CRITICAL_IMPORTANT_AND_BUGFIX));
        t.put(
                "AMAZON_LINUX_2023",
                new Predefined(
                        "AWS-AmazonLinux2023DefaultPatchBaseline", Approval.SECURITY_CRITICAL_IMPORTANT_AND_BUGFIX));
        t.put(
                "ORACLE_LINUX",
                new Predefined("AWS-OracleLinuxDefaultPatchBaseline", Approval.SECURITY_IMPORTANT_MODERATE_AND_BUGFIX));
        t.put("CENTOS", new Predefined("AWS-CentOSDefaultPatchBaseline", Approval.EVERYTHING));
        t.put("SUSE", new Predefined("AWS-SuseDefaultPatchBaseline", Approval.SECURITY_CRITICAL_IMPORTANT));
        return Map.copyOf(t);
    }

    /** Operating system to predefined baseline name. */
    static final Map<String, String> NAMES = names();

    private static Map<String, String> names() {
        Map<String, String> names = new LinkedHashMap<>();
        BY_OS.forEach((os, p) -> names.put(os, p.name()));
        return Map.copyOf(names);
    }

    static Definition definition(String os) {
        Predefined p = BY_OS.get(os);
        if (p == null) {
            throw new IllegalArgumentException("no predefined baseline for " + os);
        }
        List<PatchRule> rules =
                switch (p.approval()) {
                    case DEBIAN_SECURITY_ARCHIVE ->
                        List.of(rule(0, false, new PatchFilter("PRIORITY", DEB_PRIORITIES)));
                    case SECURITY_CRITICAL_IMPORTANT_AND_BUGFIX -> List.of(security("Critical", "Important"), bugfix());
                    case SECURITY_IMPORTANT_MODERATE_AND_BUGFIX -> List.of(security("Important", "Moderate"), bugfix());
                    case EVERYTHING -> List.of(rule(7, true, new PatchFilter("CLASSIFICATION", List.of("*"))));
                    case SECURITY_CRITICAL_IMPORTANT -> List.of(security("Critical", "Important"));
                };
        return new Definition(
                p.name(),
                os,
                new PatchFilterGroup(List.of(new PatchFilter("PRODUCT", List.of("*")))),
                new PatchRuleGroup(rules),
                List.of(),
                "UNSPECIFIED",
                Boolean.FALSE,
                List.of(),
                "ALLOW_AS_DEPENDENCY",
                "Default patch baseline for " + os + " provided by Patchtide.",
                List.of(),
                null);
    }

    /** Stable across servers, like AWS's predefined ids: pb- and 17 hex digits derived from the name. */
    static String id(String os) {
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256").digest(NAMES.get(os).getBytes(StandardCharsets.UTF_8));
            return "pb-" + HexFormat.of().formatHex(hash).substring(0, 17);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static PatchRule security(String... severities) {
        return rule(
                7,
                false,
                new PatchFilter("CLASSIFICATION", List.of("Security")),
                new PatchFilter("SEVERITY", List.of(severities)));
    }

    /** Bugfix updates are not security updates: the rule says non-security ones are in, or it approves none. */
    private static PatchRule bugfix() {
        return rule(7, true, new PatchFilter("CLASSIFICATION", List.of("Bugfix")));
    }

    private static PatchRule rule(int days, boolean nonSecurity, PatchFilter... filters) {
        return new PatchRule(new PatchFilterGroup(List.of(filters)), "UNSPECIFIED", days, null, nonSecurity);
    }
}
