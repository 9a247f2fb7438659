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
import java.util.List;
import java.util.Map;

/**
 * The baselines every server starts with, one per operating system, equivalent to Systems Manager's
 * predefined ones: Debian and Ubuntu approve security-archive updates of every priority at once; the
 * RHEL family approves Security updates of Critical or Important severity, and Bugfix updates, seven
 * days after release.
 */
final class PredefinedBaselines {
    private PredefinedBaselines() {}

    private static final List<String> DEB_PRIORITIES =
            List.of("Required", "Important", "Standard", "Optional", "Extra");

    static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("DEBIAN", "AWS-DebianDefaultPatchBaseline"),
            Map.entry("UBUNTU", "AWS-UbuntuDefaultPatchBaseline"),
            Map.entry("RASPBIAN", "AWS-RaspbianDefaultPatchBaseline"),
            Map.entry("REDHAT_ENTERPRISE_LINUX", "AWS-RedHatDefaultPatchBaseline"),
            Map.entry("CENTOS", "AWS-CentOSDefaultPatchBaseline"),
            Map.entry("ORACLE_LINUX", "AWS-OracleLinuxDefaultPatchBaseline"),
            Map.entry("ROCKY_LINUX", "AWS-RockyLinuxDefaultPatchBaseline"),
            Map.entry("ALMA_LINUX", "AWS-AlmaLinuxDefaultPatchBaseline"),
            Map.entry("AMAZON_LINUX_2", "AWS-AmazonLinux2DefaultPatchBaseline"),
            Map.entry("AMAZON_LINUX_2023", "AWS-AmazonLinux2023DefaultPatchBaseline"));

    static Definition definition(String os) {
        boolean debianFamily = os.equals("DEBIAN") || os.equals("UBUNTU") || os.equals("RASPBIAN");
        List<PatchRule> rules = debianFamily
                ? List.of(rule(0, new PatchFilter("PRIORITY", DEB_PRIORITIES)))
                : List.of(
                        rule(
                                7,
                                new PatchFilter("CLASSIFICATION", List.of("Security")),
                                new PatchFilter("SEVERITY", List.of("Critical", "Important"))),
                        rule(7, new PatchFilter("CLASSIFICATION", List.of("Bugfix"))));
        return new Definition(
                NAMES.get(os),
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

    private static PatchRule rule(int days, PatchFilter... filters) {
        return new PatchRule(new PatchFilterGroup(List.of(filters)), "UNSPECIFIED", days, null, Boolean.FALSE);
    }
}
