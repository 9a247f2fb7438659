package dev.patchtide.server.patching;

import dev.patchtide.server.api.Validation;
import dev.patchtide.server.patching.BaselineMessages.Definition;
import dev.patchtide.server.patching.BaselineMessages.PatchFilter;
import dev.patchtide.server.patching.BaselineMessages.PatchFilterGroup;
import dev.patchtide.server.patching.BaselineMessages.PatchRule;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What makes a baseline valid: SSM's constraints on each member, plus which patch-filter keys each
 * operating system's packages can be filtered by (Debian and Ubuntu by PRIORITY and SECTION; the RHEL
 * family by CLASSIFICATION and SEVERITY; …).
 */
final class BaselineRules {
    private BaselineRules() {}

    private static final Set<String> RPM_KEYS = Set.of(
            "PRODUCT",
            "CLASSIFICATION",
            "SEVERITY",
            "ARCH",
            "EPOCH",
            "NAME",
            "RELEASE",
            "REPOSITORY",
            "VERSION",
            "ADVISORY_ID",
            "BUGZILLA_ID",
            "CVE_ID",
            "SECURITY");
    private static final Set<String> DEB_KEYS = Set.of("PRODUCT", "PRIORITY", "SECTION", "NAME");
    private static final Map<String, Set<String>> KEYS_BY_OS = Map.ofEntries(
            Map.entry("DEBIAN", DEB_KEYS),
            Map.entry("UBUNTU", DEB_KEYS),
            Map.entry("RASPBIAN", DEB_KEYS),
            Map.entry("REDHAT_ENTERPRISE_LINUX", RPM_KEYS),
            Map.entry("CENTOS", RPM_KEYS),
            Map.entry("ORACLE_LINUX", RPM_KEYS),
            Map.entry("ROCKY_LINUX", RPM_KEYS),
            Map.entry("ALMA_LINUX", RPM_KEYS),
            Map.entry("AMAZON_LINUX", RPM_KEYS),
            Map.entry("AMAZON_LINUX_2", RPM_KEYS),
            Map.entry("AMAZON_LINUX_2022", RPM_KEYS),
            Map.entry("AMAZON_LINUX_2023", RPM_KEYS),
            Map.entry("SUSE", Set.of("PRODUCT", "CLASSIFICATION", "SEVERITY")),
            Map.entry(
                    "WINDOWS",
                    Set.of("PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "CLASSIFICATION", "MSRC_SEVERITY", "PATCH_ID")),
            Map.entry("MACOS", Set.of("PRODUCT", "CLASSIFICATION")));

    static void validate(Definition d, Validation v) {
        v.required("name", d.name())
                .length("name", d.name(), 3, 128)
                .pattern("name", d.name(), BaselineMessages.BASELINE_NAME)
                .oneOf("operatingSystem", d.operatingSystem(), BaselineMessages.OPERATING_SYSTEMS)
                .oneOf(
                        "approvedPatchesComplianceLevel",
                        d.approvedPatchesComplianceLevel(),
                        BaselineMessages.COMPLIANCE_LEVELS)
                .oneOf("rejectedPatchesAction", d.rejectedPatchesAction(), Set.of("ALLOW_AS_DEPENDENCY", "BLOCK"))
                .oneOf(
                        "availableSecurityUpdatesComplianceStatus",
                        d.availableSecurityUpdatesComplianceStatus(),
                        Set.of("COMPLIANT", "NON_COMPLIANT"))
                .length("description", d.description(), 1, 1024)
                .size("approvedPatches", d.approvedPatches(), 0, 50)
                .size("rejectedPatches", d.rejectedPatches(), 0, 50)
                .size("sources", d.sources(), 0, 20);
        patchIds("approvedPatches", d.approvedPatches(), v);
        patchIds("rejectedPatches", d.rejectedPatches(), v);
        Set<String> keys = KEYS_BY_OS.getOrDefault(d.operatingSystem(), Set.of());
        filters("globalFilters", d.globalFilters(), keys, d.operatingSystem(), v);
        if (d.approvalRules() != null) {
            List<PatchRule> rules = d.approvalRules().patchRules();
            v.required("approvalRules.patchRules", rules).size("approvalRules.patchRules", rules, 0, 10);
            for (int i = 0; rules != null && i < rules.size(); i++) {
                rule("approvalRules.patchRules." + (i + 1) + ".member", rules.get(i), keys, d.operatingSystem(), v);
            }
        }
    }

    private static void rule(String at, PatchRule rule, Set<String> keys, String os, Validation v) {
        v.required(at + ".patchFilterGroup", rule.patchFilterGroup())
                .oneOf(at + ".complianceLevel", rule.complianceLevel(), BaselineMessages.COMPLIANCE_LEVELS)
                .range(at + ".approveAfterDays", rule.approveAfterDays(), 0, 360)
                .length(at + ".approveUntilDate", rule.approveUntilDate(), 1, 10)
                .check(
                        (rule.approveAfterDays() == null) != (rule.approveUntilDate() == null),
                        at + ": specify exactly one of ApproveAfterDays and ApproveUntilDate");
        if (rule.approveUntilDate() != null) {
            try {
                LocalDate.parse(rule.approveUntilDate());
            } catch (DateTimeParseException e) {
                v.check(false, at + ".approveUntilDate: '" + rule.approveUntilDate() + "' is not a YYYY-MM-DD date");
            }
        }
        filters(at + ".patchFilterGroup", rule.patchFilterGroup(), keys, os, v);
    }

    private static void filters(String at, PatchFilterGroup group, Set<String> keys, String os, Validation v) {
        if (group == null) {
            return;
        }
        List<PatchFilter> filters = group.patchFilters();
        v.required(at + ".patchFilters", filters).size(at + ".patchFilters", filters, 0, 4);
        for (int i = 0; filters != null && i < filters.size(); i++) {
            PatchFilter f = filters.get(i);
            String fat = at + ".patchFilters." + (i + 1) + ".member";
            v.required(fat + ".key", f.key())
                    .required(fat + ".values", f.values())
                    .size(fat + ".values", f.values(), 1, 20)
                    .check(
                            f.key() == null || keys.contains(f.key()),
                            fat + ".key: " + f.key() + " is not a patch filter for " + os + "; use one of "
                                    + keys.stream().sorted().toList());
            closedValues(fat, f, os, v);
        }
    }

    /** Keys whose values are a closed set per operating system, the one DescribePatchProperties lists. */
    private static final Set<String> CLOSED_KEYS = Set.of("PRIORITY", "CLASSIFICATION", "SEVERITY");

    /**
     * A value outside the set would never match a patch, so a baseline with a typo ("Critcal") would
     * silently approve nothing; AWS refuses it, and so do we. "*" stays allowed, as in AWS's rules.
     */
    private static void closedValues(String at, PatchFilter f, String os, Validation v) {
        if (os == null || f.values() == null || !CLOSED_KEYS.contains(f.key())) {
            return;
        }
        List<String> allowed = PatchProperties.values(os, f.key());
        if (allowed.isEmpty()) {
            return; // the key itself is refused above for this operating system
        }
        for (int i = 0; i < f.values().size(); i++) {
            String value = f.values().get(i);
            v.check(
                    value == null || value.equals("*") || allowed.contains(value),
                    at + ".values." + (i + 1) + ".member: not a " + f.key() + " of " + os + "; use one of " + allowed);
        }
    }

    private static void patchIds(String field, List<String> ids, Validation v) {
        for (int i = 0; ids != null && i < ids.size(); i++) {
            v.required(field + "." + (i + 1) + ".member", ids.get(i))
                    .length(field + "." + (i + 1) + ".member", ids.get(i), 1, 100);
        }
    }
}
