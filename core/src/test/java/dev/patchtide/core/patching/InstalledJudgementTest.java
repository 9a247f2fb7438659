package dev.patchtide.core.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Judging a scan in two parts (the installed packages once, then the updates against that) must give what
 * judging every package in one pass gives, on random scans and baselines made to meet the corner cases:
 * several versions of one package, updates for packages not installed or at another version, failed and
 * reboot-pending packages, approved and rejected lists with globs, rules with approval delays.
 */
class InstalledJudgementTest {
    private static final String[] NAMES = {"bash", "curl", "openssl", "kernel", "vim", "zlib", "telnet", "sudo"};
    private static final String[] ARCHS = {"amd64", "all"};

    @Test
    void judgingInTwoPartsGivesWhatOnePassGives() {
        Random random = new Random(13);
        for (int n = 0; n < 2_000; n++) {
            BaselineSpec baseline = baseline(random);
            PatchStates.Scan scan = scan(random);
            LocalDate today = LocalDate.of(2026, 12, 1).plusDays(random.nextInt(40) - 20);

            PatchStates.Judgement onePass = PatchStates.judge(baseline, scan, today);
            PatchStates.Judgement counting = PatchStates.judgeCounting(baseline, scan, today);
            int c = n;
            java.util.function.Supplier<String> at = () -> "case " + c + ": " + baseline + " " + scan + " " + today;
            assertThat(counting.counts()).as(at).isEqualTo(onePass.counts());
            assertThat(counting.unreportedNotApplicable()).as(at).isEqualTo(onePass.unreportedNotApplicable());
            assertThat(sorted(counting.verdicts()))
                    .as(at)
                    .isEqualTo(sorted(onePass.verdicts().stream()
                            .filter(v -> v.state() != PatchState.INSTALLED && v.state() != PatchState.INSTALLED_OTHER)
                            .toList()));

            // The kept part from a scan with another update list (the same inventory) and only the packages the
            // new updates name: exactly the same judgement, order included.
            PatchStates.Scan before = new PatchStates.Scan(
                    scan.product(),
                    updates(random, scan.installed()),
                    scan.installed(),
                    scan.rebootRequired(),
                    scan.rebootPendingPackages(),
                    scan.failedPackages());
            InstalledJudgement kept = PatchStates.judgeInstalled(baseline, before);
            assertThat(PatchStates.judgeUpdates(baseline, named(scan), kept, today))
                    .as(at)
                    .isEqualTo(counting);
        }
    }

    @Test
    void theInstalledPartDoesNotDependOnTheDay() {
        Random random = new Random(7);
        for (int n = 0; n < 500; n++) {
            BaselineSpec baseline = baseline(random);
            PatchStates.Scan scan = scan(random);
            // The one-pass judgement of the installed packages alone, on two days far apart.
            PatchStates.Scan noUpdates = new PatchStates.Scan(
                    scan.product(),
                    List.of(),
                    scan.installed(),
                    scan.rebootRequired(),
                    scan.rebootPendingPackages(),
                    scan.failedPackages());
            PatchStates.Judgement early = PatchStates.judgeCounting(baseline, noUpdates, LocalDate.of(2020, 1, 1));
            PatchStates.Judgement late = PatchStates.judgeCounting(baseline, noUpdates, LocalDate.of(2030, 1, 1));
            assertThat(early).isEqualTo(late);
            assertThat(PatchStates.judge(baseline, noUpdates, LocalDate.of(2020, 1, 1))
                            .counts())
                    .isEqualTo(early.counts());
        }
    }

    @Test
    void aKeptPartOfAnotherInventoryIsRefused() {
        BaselineSpec blind = new BaselineSpec(
                "pb-1",
                List.of(),
                List.of(new BaselineSpec.Rule(List.of(), "CRITICAL", Optional.of(0), Optional.empty(), false)),
                List.of(),
                "UNSPECIFIED",
                false,
                List.of(),
                BaselineSpec.RejectedAction.ALLOW_AS_DEPENDENCY);
        InstalledPackage curl = new InstalledPackage("curl", "amd64", "1", Optional.empty());
        AvailablePatch update = new AvailablePatch(
                "curl", "amd64", "1", "2", "Debian12", "", "", "", "", true, Optional.empty(), List.of());
        PatchStates.Scan scan =
                new PatchStates.Scan("Debian12", List.of(update), List.of(curl), false, List.of(), List.of());
        InstalledJudgement ofAnEmptyInventory = PatchStates.judgeInstalled(
                blind, new PatchStates.Scan("Debian12", List.of(), List.of(), false, List.of(), List.of()));

        assertThatThrownBy(() -> PatchStates.judgeUpdates(blind, scan, ofAnEmptyInventory, LocalDate.of(2026, 12, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("curl.amd64");
    }

    /** The inventory's packages an update names, in inventory order: all the second part needs. */
    private static PatchStates.Scan named(PatchStates.Scan scan) {
        Set<String> names = new HashSet<>();
        scan.available().forEach(a -> names.add(a.name()));
        return new PatchStates.Scan(
                scan.product(),
                scan.available(),
                scan.installed().stream().filter(p -> names.contains(p.name())).toList(),
                scan.rebootRequired(),
                scan.rebootPendingPackages(),
                scan.failedPackages());
    }

    private static List<PatchStateVerdict> sorted(List<PatchStateVerdict> verdicts) {
        return verdicts.stream().sorted(Comparator.comparing(Object::toString)).toList();
    }

    private static PatchStates.Scan scan(Random random) {
        List<InstalledPackage> installed = new ArrayList<>();
        for (String name : NAMES) {
            int copies = random.nextInt(10) < 2 ? 0 : random.nextInt(10) < 2 ? 2 : 1;
            for (int c = 0; c < copies; c++) {
                installed.add(new InstalledPackage(
                        name,
                        ARCHS[random.nextInt(10) < 8 ? 0 : 1],
                        String.valueOf(1 + random.nextInt(3)),
                        random.nextBoolean()
                                ? Optional.empty()
                                : Optional.of(Instant.ofEpochSecond(1_700_000_000L + c))));
            }
        }
        List<String> reboot = pick(random, installed);
        List<String> failed = pick(random, installed);
        return new PatchStates.Scan(
                random.nextBoolean() ? "Debian12" : "Ubuntu24.04",
                updates(random, installed),
                installed,
                random.nextBoolean(),
                reboot,
                failed);
    }

    /** Names or name=version of some installed packages (and now and then of one that is not installed). */
    private static List<String> pick(Random random, List<InstalledPackage> installed) {
        List<String> out = new ArrayList<>();
        for (InstalledPackage p : installed) {
            if (random.nextInt(6) == 0) {
                out.add(random.nextBoolean() ? p.name() : p.name() + "=" + p.version());
            }
        }
        if (random.nextInt(8) == 0) {
            out.add("ghost");
        }
        return out;
    }

    private static List<AvailablePatch> updates(Random random, List<InstalledPackage> installed) {
        List<AvailablePatch> out = new ArrayList<>();
        for (InstalledPackage p : installed) {
            if (random.nextInt(3) == 0) {
                String from = random.nextInt(5) == 0 ? "9" : p.version();
                out.add(update(random, p.name(), p.arch(), from));
            }
        }
        if (random.nextInt(4) == 0) {
            out.add(update(random, "ghost", "amd64", "1")); // not installed
        }
        return out;
    }

    private static AvailablePatch update(Random random, String name, String arch, String from) {
        return new AvailablePatch(
                name,
                arch,
                from,
                String.valueOf(Integer.parseInt(from) + 1 + random.nextInt(2)),
                "Debian12",
                random.nextBoolean() ? "Security" : "Bugfix",
                random.nextBoolean() ? "Important" : "",
                random.nextBoolean() ? "required" : "optional",
                "utils",
                random.nextBoolean(),
                random.nextBoolean()
                        ? Optional.empty()
                        : Optional.of(LocalDate.of(2026, 12, 1).minusDays(random.nextInt(30))),
                List.of("CVE-2026-" + random.nextInt(100)));
    }

    private static BaselineSpec baseline(Random random) {
        List<BaselineSpec.Filter> global =
                random.nextInt(4) == 0 ? List.of(new BaselineSpec.Filter("PRODUCT", List.of("Debian12"))) : List.of();
        List<BaselineSpec.Rule> rules = new ArrayList<>();
        int count = 1 + random.nextInt(2);
        for (int i = 0; i < count; i++) {
            List<BaselineSpec.Filter> filters =
                    switch (random.nextInt(5)) {
                        case 0 -> List.of(new BaselineSpec.Filter("NAME", List.of("c*", "vim")));
                        case 1 -> List.of(new BaselineSpec.Filter("CLASSIFICATION", List.of("Security")));
                        case 2 -> List.of(new BaselineSpec.Filter("PRIORITY", List.of("required", "important")));
                        case 3 -> List.of(new BaselineSpec.Filter("VERSION", List.of("2*")));
                        default -> List.of();
                    };
            rules.add(new BaselineSpec.Rule(
                    filters,
                    random.nextBoolean() ? "CRITICAL" : "MEDIUM",
                    random.nextInt(3) == 0 ? Optional.empty() : Optional.of(random.nextInt(3) == 0 ? 0 : 7),
                    random.nextInt(4) == 0 ? Optional.of(LocalDate.of(2026, 11, 20)) : Optional.empty(),
                    random.nextBoolean()));
        }
        List<String> approved =
                switch (random.nextInt(4)) {
                    case 0 -> List.of("bash", "nginx", "z*");
                    case 1 -> List.of("curl=2", "apache?");
                    default -> List.of();
                };
        List<String> rejected = random.nextInt(3) == 0 ? List.of("telnet", "sudo*") : List.of();
        return new BaselineSpec(
                "pb-" + random.nextInt(100),
                global,
                rules,
                approved,
                random.nextBoolean() ? "HIGH" : "UNSPECIFIED",
                random.nextBoolean(),
                rejected,
                random.nextBoolean()
                        ? BaselineSpec.RejectedAction.BLOCK
                        : BaselineSpec.RejectedAction.ALLOW_AS_DEPENDENCY);
    }
}
