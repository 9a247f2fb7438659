package dev.patchtide.server.patching;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.patching.ScanMessages.InstancePatchStateFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.statement.Query;

/** DescribeInstancePatchStatesForPatchGroup's filters: a count compared with one number. */
record StateFilters(String sql, List<Long> values) {
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
        List<Long> values = new ArrayList<>();
        for (InstancePatchStateFilter f : filters == null ? List.<InstancePatchStateFilter>of() : filters) {
            String column = COLUMNS.get(f.key());
            if (column == null) {
                throw new ApiException.Invalid(
                        "InvalidFilter",
                        "Filter key " + f.key() + " isn't valid; use one of "
                                + COLUMNS.keySet().stream().sorted().toList());
            }
            try {
                values.add(Long.parseLong(f.values().getFirst()));
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
                    .append(" :v")
                    .append(values.size() - 1);
        }
        return new StateFilters(sql.toString(), List.copyOf(values));
    }

    void bind(Query query) {
        for (int i = 0; i < values.size(); i++) {
            query.bind("v" + i, values.get(i));
        }
    }
}
