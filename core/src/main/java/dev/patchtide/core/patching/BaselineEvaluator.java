package dev.patchtide.core.patching;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Decides which available updates a baseline approves, as Patch Manager does for Linux: rejected patches
 * never; explicitly approved ones (security only, unless the baseline enables non-security); otherwise
 * the first approval rule whose filters all match, whose date condition holds, and which allows
 * non-security updates if this one is not a security update. Global filters must match first.
 */
public final class BaselineEvaluator {
    private BaselineEvaluator() {}

    public static List<PatchVerdict> missing(BaselineSpec baseline, List<AvailablePatch> available, LocalDate today) {
        List<PatchVerdict> verdicts = new ArrayList<>();
        for (AvailablePatch patch : available) {
            approve(baseline, patch, today).ifPresent(verdicts::add);
        }
        return verdicts;
    }

    static Optional<PatchVerdict> approve(BaselineSpec baseline, AvailablePatch patch, LocalDate today) {
        if (listed(baseline.rejectedPatches(), patch)) {
            return Optional.empty();
        }
        if (listed(baseline.approvedPatches(), patch)
                && (patch.security() || baseline.approvedPatchesEnableNonSecurity())) {
            return Optional.of(new PatchVerdict(patch, baseline.approvedPatchesComplianceLevel(), "ApprovedPatches"));
        }
        if (!allMatch(baseline.globalFilters(), patch)) {
            return Optional.empty();
        }
        for (int i = 0; i < baseline.rules().size(); i++) {
            BaselineSpec.Rule rule = baseline.rules().get(i);
            if (allMatch(rule.filters(), patch)
                    && (patch.security() || rule.enableNonSecurity())
                    && dateAllows(rule, patch, today)) {
                return Optional.of(new PatchVerdict(patch, rule.complianceLevel(), "ApprovalRules[" + i + "]"));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the baseline's answer can depend on a patch's name, arch or version: a NAME, ARCH or VERSION
     * filter (or a key no patch has, which compares the empty value), or an approved or rejected list.
     */
    static boolean blindToPackageIdentity(BaselineSpec baseline) {
        return baseline.approvedPatches().isEmpty()
                && baseline.rejectedPatches().isEmpty()
                && baseline.globalFilters().stream().allMatch(BaselineEvaluator::blind)
                && baseline.rules().stream().flatMap(r -> r.filters().stream()).allMatch(BaselineEvaluator::blind);
    }

    private static boolean blind(BaselineSpec.Filter filter) {
        return switch (filter.key()) {
            case "PRODUCT", "CLASSIFICATION", "SEVERITY", "PRIORITY", "SECTION", "SECURITY" -> true;
            default -> false;
        };
    }

    /**
     * Without a release date (Debian publishes none) only an immediate rule (0 days) or an until-date rule
     * approves; with one, the patch must be old enough or released by the date.
     */
    private static boolean dateAllows(BaselineSpec.Rule rule, AvailablePatch patch, LocalDate today) {
        if (rule.approveAfterDays().isPresent()) {
            int days = rule.approveAfterDays().get();
            return patch.released()
                    .map(released -> !released.plusDays(days).isAfter(today))
                    .orElse(days == 0);
        }
        return rule.approveUntilDate()
                .map(until -> patch.released()
                        .map(released -> !released.isAfter(until))
                        .orElse(true))
                .orElse(true);
    }

    private static boolean allMatch(List<BaselineSpec.Filter> filters, AvailablePatch patch) {
        for (BaselineSpec.Filter filter : filters) {
            String value = patch.attribute(filter.key());
            if (filter.values().stream().noneMatch(pattern -> matches(pattern, value))) {
                return false;
            }
        }
        return true;
    }

    /** ApprovedPatches/RejectedPatches entries: a package name (globs allowed) or name=version. */
    static boolean listed(List<String> entries, AvailablePatch patch) {
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                if (matches(entry.substring(0, eq), patch.name())
                        && entry.substring(eq + 1).equals(patch.availableVersion())) {
                    return true;
                }
            } else if (matches(entry, patch.name())) {
                return true;
            }
        }
        return false;
    }

    /** Filter values compare case-insensitively; '*' and '?' are wildcards. */
    static boolean matches(String pattern, String value) {
        if (pattern.equals("*")) {
            return true;
        }
        return compiled(pattern).matcher(value.toLowerCase(Locale.ROOT)).matches();
    }

    /** Baselines have few distinct filter values, but every installed package is matched against them. */
    private static final Map<String, Pattern> COMPILED = new ConcurrentHashMap<>();

    private static Pattern compiled(String pattern) {
        if (COMPILED.size() > 10_000) {
            COMPILED.clear(); // only a bound: a server sees a few hundred patterns
        }
        return COMPILED.computeIfAbsent(pattern, p -> {
            StringBuilder regex = new StringBuilder();
            for (char c : p.toCharArray()) {
                regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
            }
            return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE);
        });
    }
}
