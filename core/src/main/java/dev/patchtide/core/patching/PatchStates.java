package dev.patchtide.core.patching;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Gives every package of a host its patch state: judges the available updates with {@link BaselineEvaluator}
 * and the installed versions against the baseline's lists and rules, marks reboot-pending and failed
 * packages, and names the approved packages that are not installed at all.
 */
public final class PatchStates {
    private PatchStates() {}

    /** What a scan found: available updates, installed packages, and the packages a reboot or a failure concerns. */
    public record Scan(
            String product,
            List<AvailablePatch> available,
            List<InstalledPackage> installed,
            boolean rebootRequired,
            List<String> rebootPendingPackages,
            List<String> failedPackages) {}

    /**
     * The verdicts, ordered by KB id, and how many packages are in each state; {@code unreportedNotApplicable}
     * counts ApprovedPatches patterns (globs) that match no installed package and so cannot be named. From
     * {@link #judgeCounting}, INSTALLED and INSTALLED_OTHER packages are in the counts but not the verdicts.
     */
    public record Judgement(
            List<PatchStateVerdict> verdicts, int unreportedNotApplicable, Map<PatchState, Integer> counts) {

        public boolean compliant() {
            return verdicts.stream().allMatch(v -> v.state().compliant());
        }
    }

    /** Every package's verdict (for listings). */
    public static Judgement judge(BaselineSpec baseline, Scan scan, LocalDate today) {
        return judge(baseline, scan, today, true);
    }

    /**
     * The verdicts other than INSTALLED and INSTALLED_OTHER, which are only counted: what a stored evaluation
     * keeps, without building a verdict for each of a host's ~1,500 packages. The same as judging the installed
     * packages alone ({@link #judgeInstalled}) and then the updates against that ({@link #judgeUpdates}).
     */
    public static Judgement judgeCounting(BaselineSpec baseline, Scan scan, LocalDate today) {
        return judgeUpdates(baseline, scan, judgeInstalled(baseline, scan), today);
    }

    /**
     * Every installed package judged as if no update were available (the scan's updates are ignored): the part
     * of a judgement a changed update list does not touch. It depends on the baseline, the product, the
     * inventory, the reboot-pending facts and the failed packages, and on nothing else: installed packages carry
     * no release date, so no rule's date (nor today) decides them.
     */
    public static InstalledJudgement judgeInstalled(BaselineSpec baseline, Scan scan) {
        Map<PatchState, Integer> counted = new EnumMap<>(PatchState.class);
        counted.put(PatchState.INSTALLED, 0);
        counted.put(PatchState.INSTALLED_OTHER, 0);
        List<PatchStateVerdict> verdicts = new ArrayList<>();
        InstalledApproval approval = new InstalledApproval(baseline, scan.product(), NO_DAY);
        for (InstalledPackage p : scan.installed()) {
            judgeInstalled(baseline, scan, p, approval, false, counted).ifPresent(verdicts::add);
        }
        List<PatchStateVerdict> notApplicable = new ArrayList<>();
        int unreported = approvedNotInstalled(baseline, scan, notApplicable);
        return new InstalledJudgement(
                counted.get(PatchState.INSTALLED),
                counted.get(PatchState.INSTALLED_OTHER),
                verdicts,
                notApplicable,
                unreported);
    }

    /**
     * The whole judgement from the installed packages' ({@code kept}, from {@link #judgeInstalled} with the same
     * baseline, product, inventory, reboot facts and failed packages) and the scan's updates. Of the inventory,
     * {@code scan.installed()} needs only the packages named by an update, in the inventory's order (others are
     * ignored): those an approved (or failed) update replaces give up their installed verdict for the update's.
     */
    public static Judgement judgeUpdates(BaselineSpec baseline, Scan scan, InstalledJudgement kept, LocalDate today) {
        Map<PatchState, Integer> counts = zeroCounts();
        counts.put(PatchState.INSTALLED, kept.installed());
        counts.put(PatchState.INSTALLED_OTHER, kept.installedOther());
        UpdateIndex updatesOf = UpdateIndex.of(scan);
        Set<String> availableJudged = new HashSet<>();
        List<PatchStateVerdict> installedVerdicts = new ArrayList<>(kept.verdicts());
        List<PatchStateVerdict> updates = new ArrayList<>(scan.available().size());
        InstalledApproval approval = null;
        for (InstalledPackage p : scan.installed()) {
            if (!updatesOf.names().contains(p.name())) {
                continue; // judged in kept
            }
            String key = p.name() + "." + p.arch();
            AvailablePatch update = updatesOf.byKey().get(key);
            if (update == null || !(update.installedVersion().equals(p.version()) || !availableJudged.contains(key))) {
                continue; // its installed verdict (in kept) stands
            }
            availableJudged.add(key);
            Optional<PatchStateVerdict> v = judgeAvailable(baseline, scan, update, today, p);
            if (v.isEmpty()) {
                continue;
            }
            updates.add(v.get());
            // The update's verdict replaces the package's installed one, which kept counted or listed.
            if (approval == null) {
                approval = new InstalledApproval(baseline, scan.product(), NO_DAY);
            }
            Map<PatchState, Integer> withdrawn = new EnumMap<>(PatchState.class);
            Optional<PatchStateVerdict> was = judgeInstalled(baseline, scan, p, approval, false, withdrawn);
            if (was.isPresent() ? !installedVerdicts.remove(was.get()) : !withdraw(counts, withdrawn)) {
                throw new IllegalArgumentException("the kept installed judgement is not of this inventory: " + key);
            }
        }
        // Updates for packages the inventory does not list (a report without inventory): only what they decide.
        for (AvailablePatch a : scan.available()) {
            if (!availableJudged.contains(a.name() + "." + a.arch())) {
                judgeAvailable(baseline, scan, a, today, null).ifPresent(updates::add);
            }
        }
        List<PatchStateVerdict> verdicts = new ArrayList<>(
                installedVerdicts.size() + updates.size() + kept.notApplicable().size());
        verdicts.addAll(installedVerdicts);
        verdicts.addAll(updates);
        verdicts.addAll(kept.notApplicable());
        verdicts.sort(Comparator.comparing(PatchStateVerdict::kbId));
        verdicts.forEach(v -> counts.merge(v.state(), 1, Integer::sum));
        return new Judgement(
                List.copyOf(verdicts), kept.unreportedNotApplicable(), java.util.Collections.unmodifiableMap(counts));
    }

    /** Every state at zero, in the states' order. */
    private static Map<PatchState, Integer> zeroCounts() {
        Map<PatchState, Integer> counts = new EnumMap<>(PatchState.class);
        for (PatchState state : PatchState.values()) {
            counts.put(state, 0);
        }
        return counts;
    }

    /**
     * A scan's updates by {@code name.arch}, and their names alone: most installed packages have no update, and
     * looking up the name first spares building their name.arch key.
     */
    private record UpdateIndex(Map<String, AvailablePatch> byKey, Set<String> names) {
        static UpdateIndex of(Scan scan) {
            Map<String, AvailablePatch> byKey = new HashMap<>();
            Set<String> names = new HashSet<>();
            for (AvailablePatch a : scan.available()) {
                byKey.put(a.name() + "." + a.arch(), a);
                names.add(a.name());
            }
            return new UpdateIndex(byKey, names);
        }
    }

    /** Takes one counted package (the single entry of {@code one}) off the counts; false if none was left. */
    private static boolean withdraw(Map<PatchState, Integer> counts, Map<PatchState, Integer> one) {
        for (Map.Entry<PatchState, Integer> e : one.entrySet()) {
            int left = counts.get(e.getKey()) - e.getValue();
            if (left < 0) {
                return false;
            }
            counts.put(e.getKey(), left);
        }
        return true;
    }

    /** Installed packages have no release date, so the day never decides their approval; any day does. */
    private static final LocalDate NO_DAY = LocalDate.EPOCH;

    private static Judgement judge(BaselineSpec baseline, Scan scan, LocalDate today, boolean everyVerdict) {
        Map<PatchState, Integer> counts = zeroCounts();
        UpdateIndex updatesOf = UpdateIndex.of(scan);
        Set<String> availableJudged = new HashSet<>();
        List<PatchStateVerdict> verdicts =
                new ArrayList<>(scan.installed().size() + scan.available().size());
        InstalledApproval approval = new InstalledApproval(baseline, scan.product(), today);
        for (InstalledPackage p : scan.installed()) {
            if (!updatesOf.names().contains(p.name())) {
                judgeInstalled(baseline, scan, p, approval, everyVerdict, counts)
                        .ifPresent(verdicts::add);
                continue;
            }
            String key = p.name() + "." + p.arch();
            AvailablePatch update = updatesOf.byKey().get(key);
            if (update != null && (update.installedVersion().equals(p.version()) || !availableJudged.contains(key))) {
                availableJudged.add(key);
                Optional<PatchStateVerdict> v = judgeAvailable(baseline, scan, update, today, p);
                if (v.isPresent()) {
                    verdicts.add(v.get());
                    continue;
                }
            }
            judgeInstalled(baseline, scan, p, approval, everyVerdict, counts).ifPresent(verdicts::add);
        }
        // Updates for packages the inventory does not list (a report without inventory): only what they decide.
        for (AvailablePatch a : scan.available()) {
            if (!availableJudged.contains(a.name() + "." + a.arch())) {
                judgeAvailable(baseline, scan, a, today, null).ifPresent(verdicts::add);
            }
        }
        int unreported = approvedNotInstalled(baseline, scan, verdicts);
        verdicts.sort(Comparator.comparing(PatchStateVerdict::kbId));
        verdicts.forEach(v -> counts.merge(v.state(), 1, Integer::sum));
        return new Judgement(List.copyOf(verdicts), unreported, java.util.Collections.unmodifiableMap(counts));
    }

    /**
     * The baseline's approved patches that name no installed package: NOT_APPLICABLE verdicts added to {@code into}
     * for plain names; the number of wildcard entries, which have no name to report, returned.
     */
    private static int approvedNotInstalled(BaselineSpec baseline, Scan scan, List<PatchStateVerdict> into) {
        int unreported = 0;
        for (String entry : baseline.approvedPatches()) {
            String name = entry.contains("=") ? entry.substring(0, entry.indexOf('=')) : entry;
            boolean installed = scan.installed().stream().anyMatch(p -> BaselineEvaluator.matches(name, p.name()));
            if (installed) {
                continue;
            }
            if (name.contains("*") || name.contains("?")) {
                unreported++;
            } else {
                into.add(new PatchStateVerdict(
                        PatchState.NOT_APPLICABLE,
                        name,
                        entry,
                        "",
                        "",
                        baseline.approvedPatchesComplianceLevel(),
                        false,
                        List.of(),
                        Optional.empty()));
            }
        }
        return unreported;
    }

    /** MISSING or FAILED for an update, or empty when the baseline does not approve it and no install failed. */
    private static Optional<PatchStateVerdict> judgeAvailable(
            BaselineSpec baseline, Scan scan, AvailablePatch a, LocalDate today, InstalledPackage installed) {
        Optional<PatchVerdict> approved = BaselineEvaluator.approve(baseline, a, today);
        boolean failed = named(scan.failedPackages(), a.name(), a.availableVersion())
                || named(scan.failedPackages(), a.name(), a.installedVersion());
        if (!failed && approved.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PatchStateVerdict(
                failed ? PatchState.FAILED : PatchState.MISSING,
                a.name(),
                a.name() + "." + a.arch() + ":" + a.availableVersion(),
                a.classification().isEmpty() ? a.section() : a.classification(),
                a.severity().isEmpty() ? a.priority() : a.severity(),
                approved.map(PatchVerdict::complianceLevel).orElse("UNSPECIFIED"),
                a.security(),
                a.cves(),
                installed == null ? Optional.empty() : installed.installedTime()));
    }

    /**
     * Whether the baseline approves an installed package. Installed packages carry no metadata besides name,
     * arch and version (no priority, section, classification or date), so when the baseline looks at none of
     * those (no NAME, ARCH or VERSION filter, no approved or rejected list: every predefined baseline), all of a
     * host's packages get the same answer, asked once instead of ~1,500 times.
     */
    private static final class InstalledApproval {
        private final BaselineSpec baseline;
        private final String product;
        private final LocalDate today;
        private final Optional<Optional<PatchVerdict>> alike;

        InstalledApproval(BaselineSpec baseline, String product, LocalDate today) {
            this.baseline = baseline;
            this.product = product;
            this.today = today;
            this.alike = BaselineEvaluator.blindToPackageIdentity(baseline)
                    ? Optional.of(BaselineEvaluator.approve(baseline, asPatch("", "", "", product), today))
                    : Optional.empty();
        }

        Optional<PatchVerdict> approve(InstalledPackage p) {
            return alike.orElseGet(() ->
                    BaselineEvaluator.approve(baseline, asPatch(p.name(), p.arch(), p.version(), product), today));
        }
    }

    private static AvailablePatch asPatch(String name, String arch, String version, String product) {
        return new AvailablePatch(
                name, arch, version, version, product, "", "", "", "", false, Optional.empty(), List.of());
    }

    /**
     * The installed package's verdict; empty when only counted (an INSTALLED or INSTALLED_OTHER package when
     * not every verdict is wanted), its state then added to {@code counted}.
     */
    private static Optional<PatchStateVerdict> judgeInstalled(
            BaselineSpec baseline,
            Scan scan,
            InstalledPackage p,
            InstalledApproval approval,
            boolean everyVerdict,
            Map<PatchState, Integer> counted) {
        Optional<PatchVerdict> approved = approval.approve(p);
        PatchState state;
        if (named(scan.failedPackages(), p.name(), p.version())) {
            state = PatchState.FAILED;
        } else if (!baseline.rejectedPatches().isEmpty()
                && baseline.rejectedPatchesAction() == BaselineSpec.RejectedAction.BLOCK
                && BaselineEvaluator.listed(
                        baseline.rejectedPatches(), asPatch(p.name(), p.arch(), p.version(), scan.product()))) {
            state = PatchState.INSTALLED_REJECTED;
        } else if (scan.rebootRequired() && named(scan.rebootPendingPackages(), p.name(), p.version())) {
            state = PatchState.INSTALLED_PENDING_REBOOT;
        } else if (approved.isPresent()
                || (!baseline.approvedPatches().isEmpty()
                        && BaselineEvaluator.listed(
                                baseline.approvedPatches(),
                                asPatch(p.name(), p.arch(), p.version(), scan.product())))) {
            state = PatchState.INSTALLED;
        } else {
            state = PatchState.INSTALLED_OTHER;
        }
        if (!everyVerdict && (state == PatchState.INSTALLED || state == PatchState.INSTALLED_OTHER)) {
            counted.merge(state, 1, Integer::sum);
            return Optional.empty();
        }
        String level = approved.map(PatchVerdict::complianceLevel).orElse("UNSPECIFIED");
        return Optional.of(
                new PatchStateVerdict(state, p.name(), p.kbId(), "", "", level, false, List.of(), p.installedTime()));
    }

    /** Whether {@code entries} (package names, or name=version) name this package. */
    private static boolean named(List<String> entries, String name, String version) {
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq < 0
                    ? entry.equals(name)
                    : entry.substring(0, eq).equals(name)
                            && entry.substring(eq + 1).equals(version)) {
                return true;
            }
        }
        return false;
    }
}
