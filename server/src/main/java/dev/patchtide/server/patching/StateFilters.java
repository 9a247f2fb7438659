package dev.patchtide.server.patching;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.patching.ScanMessages.InstancePatchStateFilter;
import java.util.List;
import java.util.Map;

/**
 * DescribeInstancePatchStatesForPatchGroup's filters: a count compared with one number. The number goes into
 * the SQL as a literal (it is parsed as a long first, so nothing else can): with a bind parameter a cached
 * generic plan cannot prove that {@code failed_count > 0} implies the predicate of the partial index for the
 * rarely non-zero counts (V34), and such a filter would read the whole patch group.
 */
record StateFilters(String sql) {
    private static final Map<String, String> COLUMNS = Map.of(
            "InstalledCount", "installed_count",
            "InstalledOtherCount", "installed_other_count",
            "InstalledPendingRebootCount", "installed_pending_reboot_count",
            "InstalledRejectedCount", "installed_rejected_count",
            "MissingCount", "missing_count",
            "FailedCount", "failed_count",
            "UnreportedNotApplicableCount", "unreported_not_applicable_count",
            "NotApplicableCount", "not_applicable_count");
    private static final Map<String, String> OPERATORS =
            Map.of("Equal", "=", "NotEqual", "<>", "LessThan", "<", "GreaterThan", ">");

    static StateFilters of(List<InstancePatchStateFilter> filters) {
        StringBuilder sql = new StringBuilder();
        for (InstancePatchStateFilter f : filters == null ? List.<InstancePatchStateFilter>of() : filters) {
            String column = COLUMNS.get(f.key());
            if (column == null) {
                throw new ApiException.Invalid(
                        "InvalidFilter",
                        "Filter key " + f.key() + " isn't valid; use one of "
                                + COLUMNS.keySet().stream().sorted().toList());
            }
            long value;
            try {
                value = Long.parseLong(f.values().getFirst());
            } catch (NumberFormatException e) {
                throw new ApiException.Invalid(
                        "InvalidFilter",
                        "Filter " + f.key() + " needs a whole number, not '"
                                + f.values().getFirst() + "'");
            }
            sql.append(" AND ")
                    .append(column)
                    .append(' ')
                    .append(OPERATORS.get(f.type()))
                    .append(" (")
                    .append(value)
                    .append(')');
        }
        return new StateFilters(sql.toString());
    }
}
