package dev.patchtide.core.patching;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BaselineEvaluatorTest {
    static final LocalDate TODAY = LocalDate.parse("2026-11-22");

    static AvailablePatch deb(String name, String priority, boolean security) {
        return new AvailablePatch(
                name,
                "amd64",
                "1.0-1",
                "1.0-2",
                "Debian12",
                "",
                "",
                priority,
                "utils",
                security,
                Optional.empty(),
                List.of());
    }

    static AvailablePatch rpm(String name, String classification, String severity, String released) {
        return new AvailablePatch(
                name,
                "x86_64",
                "1.0-1.el9",
                "1.0-2.el9",
                "RedhatEnterpriseLinux9.4",
                classification,
                severity,
                "",
                "",
                classification.equals("Security"),
                Optional.of(LocalDate.parse(released)),
                List.of());
    }

    static BaselineSpec baseline(List<BaselineSpec.Rule> rules, List<String> approved, List<String> rejected) {
        return new BaselineSpec(
                "pb-1",
                List.of(new BaselineSpec.Filter("PRODUCT", List.of("*"))),
                rules,
                approved,
                "CRITICAL",
                false,
                rejected,
                BaselineSpec.RejectedAction.ALLOW_AS_DEPENDENCY);
    }

    static BaselineSpec.Rule rule(String level, Integer days, boolean nonSecurity, BaselineSpec.Filter... filters) {
        return new BaselineSpec.Rule(List.of(filters), level, Optional.ofNullable(days), Optional.empty(), nonSecurity);
    }

    @Test
    void debianDefaultApprovesSecurityUpdatesOfAnyPriorityButNotOthers() {
        BaselineSpec spec = baseline(
                List.of(rule(
                        "UNSPECIFIED",
                        0,
                        false,
                        new BaselineSpec.Filter(
                                "PRIORITY", List.of("Required", "Important", "Standard", "Optional", "Extra")))),
                List.of(),
                List.of());
        List<PatchVerdict> missing = BaselineEvaluator.missing(
                spec, List.of(deb("openssl", "optional", true), deb("tzdata", "required", false)), TODAY);
        assertThat(missing).extracting(v -> v.patch().name()).containsExactly("openssl");
        assertThat(missing.getFirst().approvedBy()).isEqualTo("ApprovalRules[0]");
    }

    @Test
    void enableNonSecurityApprovesEverythingMatching() {
        BaselineSpec spec = baseline(
                List.of(rule("HIGH", 0, true, new BaselineSpec.Filter("PRODUCT", List.of("*")))), List.of(), List.of());
        assertThat(BaselineEvaluator.missing(
                        spec, List.of(deb("openssl", "optional", true), deb("tzdata", "required", false)), TODAY))
                .extracting(PatchVerdict::complianceLevel)
                .containsExactly("HIGH", "HIGH");
    }

    @Test
    void rhelRuleWaitsSevenDaysAndFiltersSeverity() {
        BaselineSpec spec = baseline(
                List.of(rule(
                        "CRITICAL",
                        7,
                        false,
                        new BaselineSpec.Filter("CLASSIFICATION", List.of("Security")),
                        new BaselineSpec.Filter("SEVERITY", List.of("Critical", "Important")))),
                List.of(),
                List.of());
        List<PatchVerdict> missing = BaselineEvaluator.missing(
                spec,
                List.of(
                        rpm("old-enough", "Security", "Important", "2026-11-15"),
                        rpm("too-new", "Security", "Critical", "2026-11-16"),
                        rpm("moderate", "Security", "Moderate", "2026-01-01"),
                        rpm("bugfix", "Bugfix", "", "2026-01-01")),
                TODAY);
        assertThat(missing).extracting(v -> v.patch().name()).containsExactly("old-enough");
    }

    @Test
    void rejectedNeverAndApprovedListOverridesRulesForSecurityUpdates() {
        BaselineSpec spec = baseline(
                List.of(rule("LOW", 0, true, new BaselineSpec.Filter("PRODUCT", List.of("*")))),
                List.of("libssl*"),
                List.of("telnet", "curl=1.0-2"));
        List<PatchVerdict> missing = BaselineEvaluator.missing(
                spec,
                List.of(
                        deb("telnet", "optional", true),
                        deb("curl", "optional", true),
                        deb("libssl3", "optional", true),
                        deb("zip", "optional", false)),
                TODAY);
        assertThat(missing)
                .extracting(v -> v.patch().name() + ":" + v.complianceLevel())
                .containsExactly("libssl3:CRITICAL", "zip:LOW");
    }

    @Test
    void globalFiltersExcludeBeforeRules() {
        BaselineSpec spec = new BaselineSpec(
                "pb-2",
                List.of(new BaselineSpec.Filter("SECTION", List.of("kernel"))),
                List.of(rule("HIGH", 0, true, new BaselineSpec.Filter("PRODUCT", List.of("Debian*")))),
                List.of(),
                "UNSPECIFIED",
                false,
                List.of(),
                BaselineSpec.RejectedAction.BLOCK);
        assertThat(BaselineEvaluator.missing(spec, List.of(deb("openssl", "optional", true)), TODAY))
                .isEmpty();
    }
}
