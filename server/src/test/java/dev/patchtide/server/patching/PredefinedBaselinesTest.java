package dev.patchtide.server.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.api.Validation;
import dev.patchtide.server.patching.BaselineMessages.Definition;
import dev.patchtide.server.patching.BaselineMessages.PatchFilter;
import dev.patchtide.server.patching.BaselineMessages.PatchFilterGroup;
import dev.patchtide.server.patching.BaselineMessages.PatchRule;
import dev.patchtide.server.patching.BaselineMessages.PatchRuleGroup;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The predefined baselines as Patch Manager's (names, approval rules), and patch filters checked per operating
 * system: a key or a value the operating system's patches never carry is refused, naming it.
 */
class PredefinedBaselinesTest {

    @Test
    void everyLinuxOperatingSystemHasItsAwsNamedBaseline() {
        assertThat(PredefinedBaselines.NAMES)
                .containsEntry("AMAZON_LINUX", "AWS-AmazonLinuxDefaultPatchBaseline")
                .containsEntry("AMAZON_LINUX_2", "AWS-AmazonLinux2DefaultPatchBaseline")
                .containsEntry("AMAZON_LINUX_2023", "AWS-AmazonLinux2023DefaultPatchBaseline")
                .containsEntry("REDHAT_ENTERPRISE_LINUX", "AWS-RedHatDefaultPatchBaseline")
                .containsEntry("ROCKY_LINUX", "AWS-RockyLinuxDefaultPatchBaseline")
                .containsEntry("ALMA_LINUX", "AWS-AlmaLinuxDefaultPatchBaseline")
                .containsEntry("ORACLE_LINUX", "AWS-OracleLinuxDefaultPatchBaseline")
                .containsEntry("CENTOS", "AWS-CentOSDefaultPatchBaseline")
                .containsEntry("SUSE", "AWS-SuseDefaultPatchBaseline")
                .containsEntry("DEBIAN", "AWS-DebianDefaultPatchBaseline")
                .containsEntry("UBUNTU", "AWS-UbuntuDefaultPatchBaseline");
        assertThat(PredefinedBaselines.NAMES.keySet()).allMatch(BaselineMessages.OPERATING_SYSTEMS::contains);
        assertThat(PredefinedBaselines.NAMES.keySet().stream().map(PredefinedBaselines::id))
                .allMatch(id -> id.matches("pb-[0-9a-f]{17}"))
                .doesNotHaveDuplicates();
    }

    @Test
    void eachPredefinedBaselinePassesItsOwnOperatingSystemsRules() {
        for (String os : PredefinedBaselines.NAMES.keySet()) {
            Validation v = new Validation();
            BaselineRules.validate(PredefinedBaselines.definition(os), v);
            assertThatCode(v::throwIfInvalid).as(os).doesNotThrowAnyException();
        }
    }

    @Test
    void approvalRulesArePatchManagersPerOperatingSystem() {
        assertThat(rules("SUSE")).containsExactly("7 days: CLASSIFICATION=[Security] SEVERITY=[Critical, Important]");
        assertThat(rules("ORACLE_LINUX"))
                .containsExactly(
                        "7 days: CLASSIFICATION=[Security] SEVERITY=[Important, Moderate]",
                        "7 days, non-security too: CLASSIFICATION=[Bugfix]");
        for (String os : List.of(
                "REDHAT_ENTERPRISE_LINUX", "ROCKY_LINUX", "ALMA_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2023")) {
            assertThat(rules(os))
                    .as(os)
                    .containsExactly(
                            "7 days: CLASSIFICATION=[Security] SEVERITY=[Critical, Important]",
                            "7 days, non-security too: CLASSIFICATION=[Bugfix]");
        }
        assertThat(rules("CENTOS")).containsExactly("7 days, non-security too: CLASSIFICATION=[*]");
        assertThat(rules("DEBIAN"))
                .containsExactly("0 days: PRIORITY=[Required, Important, Standard, Optional, Extra]");
    }

    @Test
    void filterKeysAndValuesAreCheckedPerOperatingSystem() {
        assertThat(errors("SUSE", "CLASSIFICATION", "Bugfix"))
                .contains("values.1.member: not a CLASSIFICATION of SUSE")
                .contains("Recommended");
        assertThat(errors("SUSE", "SEVERITY", "Medium")).contains("not a SEVERITY of SUSE");
        assertThat(errors("SUSE", "PRIORITY", "Required")).contains("PRIORITY is not a patch filter for SUSE");
        assertThat(errors("AMAZON_LINUX_2023", "SEVERITY", "Medium")).isEmpty();
        assertThat(errors("REDHAT_ENTERPRISE_LINUX", "SEVERITY", "Medium")).contains("not a SEVERITY of");
        assertThat(errors("REDHAT_ENTERPRISE_LINUX", "CLASSIFICATION", "Recommended"))
                .isEmpty();
        assertThat(errors("UBUNTU", "SEVERITY", "Critical")).contains("SEVERITY is not a patch filter for UBUNTU");
        assertThat(errors("SUSE", "CLASSIFICATION", "Yast")).isEmpty();
        assertThat(errors("SUSE", "SEVERITY", "*")).isEmpty();
    }

    private static String errors(String os, String key, String value) {
        Definition d = new Definition(
                "per-os",
                os,
                null,
                new PatchRuleGroup(List.of(new PatchRule(
                        new PatchFilterGroup(List.of(new PatchFilter(key, List.of(value)))),
                        "UNSPECIFIED",
                        0,
                        null,
                        false))),
                List.of(),
                "UNSPECIFIED",
                false,
                List.of(),
                "ALLOW_AS_DEPENDENCY",
                null,
                List.of(),
                null);
        Validation v = new Validation();
        BaselineRules.validate(d, v);
        try {
            v.throwIfInvalid();
            return "";
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    private static List<String> rules(String os) {
        return PredefinedBaselines.definition(os).approvalRules().patchRules().stream()
                .map(r -> r.approveAfterDays() + " days" + (r.enableNonSecurity() ? ", non-security too" : "") + ": "
                        + r.patchFilterGroup().patchFilters().stream()
                                .map(f -> f.key() + "=" + f.values())
                                .collect(Collectors.joining(" ")))
                .toList();
    }

    @Test
    void noPredefinedBaselineForWindows() {
        assertThat(PredefinedBaselines.NAMES).doesNotContainKey("WINDOWS");
        assertThatThrownBy(() -> PredefinedBaselines.definition("WINDOWS")).hasMessageContaining("WINDOWS");
        assertThat(Map.copyOf(PredefinedBaselines.NAMES)).hasSize(13);
    }
}
