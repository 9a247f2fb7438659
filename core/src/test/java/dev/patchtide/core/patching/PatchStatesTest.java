package dev.patchtide.core.patching;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PatchStatesTest {
    static final LocalDate TODAY = LocalDate.of(2026, 11, 23);

    static BaselineSpec baseline(BaselineSpec.RejectedAction action) {
        return new BaselineSpec(
                "pb-1",
                List.of(),
                List.of(new BaselineSpec.Rule(
                        List.of(new BaselineSpec.Filter("CLASSIFICATION", List.of("Security"))),
                        "CRITICAL",
                        Optional.of(7),
                        Optional.empty(),
                        false)),
                List.of("bash=5.1.8-9.el9"),
                "HIGH",
                true,
                List.of("telnet"),
                action);
    }

    static InstalledPackage pkg(String name, String version) {
        return new InstalledPackage(name, "x86_64", version, Optional.of(Instant.ofEpochSecond(1_700_000_000)));
    }

    @Test
    void rejectedPackagesCountAsRejectedOnlyWhenTheBaselineBlocksThem() {
        PatchStates.Scan scan = new PatchStates.Scan(
                "RedhatEnterpriseLinux9",
                List.of(),
                List.of(pkg("telnet", "0.17-85.el9")),
                false,
                List.of(),
                List.of());
        assertThat(PatchStates.judge(baseline(BaselineSpec.RejectedAction.BLOCK), scan, TODAY)
                        .verdicts())
                .extracting(v -> v.title() + " " + v.state())
                .containsExactly("bash NOT_APPLICABLE", "telnet INSTALLED_REJECTED");
        assertThat(PatchStates.judge(baseline(BaselineSpec.RejectedAction.ALLOW_AS_DEPENDENCY), scan, TODAY)
                        .verdicts()
                        .get(1)
                        .state())
                .isEqualTo(PatchState.INSTALLED_OTHER);
    }

    @Test
    void judgingForCountsKeepsTheSameCountsWithoutTheInstalledVerdicts() {
        AvailablePatch update = new AvailablePatch(
                "openssl",
                "x86_64",
                "1:3.0.7-24.el9",
                "1:3.0.7-27.el9",
                "RedhatEnterpriseLinux9",
                "Security",
                "Important",
                "",
                "",
                true,
                Optional.of(TODAY.minusDays(30)),
                List.of());
        PatchStates.Scan scan = new PatchStates.Scan(
                "RedhatEnterpriseLinux9",
                List.of(update),
                List.of(
                        pkg("bash", "5.1.8-9.el9"),
                        pkg("openssl", "1:3.0.7-24.el9"),
                        pkg("telnet", "0.17-85.el9"),
                        pkg("vim", "9.0")),
                false,
                List.of(),
                List.of());
        BaselineSpec blocking = baseline(BaselineSpec.RejectedAction.BLOCK);

        PatchStates.Judgement every = PatchStates.judge(blocking, scan, TODAY);
        PatchStates.Judgement counting = PatchStates.judgeCounting(blocking, scan, TODAY);

        assertThat(counting.counts()).isEqualTo(every.counts());
        assertThat(every.counts())
                .containsEntry(PatchState.INSTALLED, 1)
                .containsEntry(PatchState.INSTALLED_OTHER, 1)
                .containsEntry(PatchState.INSTALLED_REJECTED, 1)
                .containsEntry(PatchState.MISSING, 1);
        assertThat(counting.verdicts())
                .extracting(v -> v.title() + " " + v.state())
                .containsExactly("openssl MISSING", "telnet INSTALLED_REJECTED");
        assertThat(every.verdicts()).hasSize(4);
    }

    @Test
    void anUpdateTooYoungForTheRuleLeavesTheInstalledVersionJudgedOnItsOwn() {
        AvailablePatch young = new AvailablePatch(
                "openssl",
                "x86_64",
                "1:3.0.7-27.el9",
                "1:3.0.7-28.el9",
                "RedhatEnterpriseLinux9",
                "Security",
                "Important",
                "",
                "",
                true,
                Optional.of(TODAY.minusDays(2)),
                List.of("CVE-2026-1"));
        AvailablePatch old = new AvailablePatch(
                "curl",
                "x86_64",
                "7.76.1-29.el9",
                "7.76.1-31.el9",
                "RedhatEnterpriseLinux9",
                "Security",
                "Moderate",
                "",
                "",
                true,
                Optional.of(TODAY.minusDays(30)),
                List.of());
        PatchStates.Scan scan = new PatchStates.Scan(
                "RedhatEnterpriseLinux9",
                List.of(young, old),
                List.of(
                        pkg("openssl", "1:3.0.7-27.el9"),
                        pkg("curl", "7.76.1-29.el9"),
                        pkg("bash", "5.1.8-9.el9"),
                        pkg("kernel-core", "5.14.0-427.13.1.el9_4"),
                        pkg("kernel-core", "5.14.0-503.11.1.el9_5")),
                true,
                List.of("kernel-core=5.14.0-503.11.1.el9_5"),
                List.of());

        PatchStates.Judgement j = PatchStates.judge(baseline(BaselineSpec.RejectedAction.BLOCK), scan, TODAY);

        assertThat(j.verdicts())
                .extracting(v -> v.kbId() + " " + v.state())
                .containsExactly(
                        "bash.x86_64:5.1.8-9.el9 INSTALLED",
                        "curl.x86_64:7.76.1-31.el9 MISSING",
                        "kernel-core.x86_64:5.14.0-427.13.1.el9_4 INSTALLED_OTHER",
                        "kernel-core.x86_64:5.14.0-503.11.1.el9_5 INSTALLED_PENDING_REBOOT",
                        "openssl.x86_64:1:3.0.7-27.el9 INSTALLED_OTHER");
        assertThat(j.compliant()).isFalse();
        assertThat(j.verdicts().get(1).complianceLevel()).isEqualTo("CRITICAL");
        assertThat(j.counts().get(PatchState.NOT_APPLICABLE)).isZero();
    }

    @Test
    void inventoryHashIgnoresOrderAndReadsBack() {
        List<InstalledPackage> a = List.of(pkg("b", "1"), pkg("a", "2"));
        assertThat(Inventory.hash(a)).isEqualTo(Inventory.hash(List.of(pkg("a", "2"), pkg("b", "1"))));
        assertThat(Inventory.hash(a)).hasSize(64).isNotEqualTo(Inventory.hash(List.of(pkg("a", "2"))));
        assertThat(Inventory.parse(Inventory.canonical(a))).containsExactly(pkg("a", "2"), pkg("b", "1"));
    }
}
