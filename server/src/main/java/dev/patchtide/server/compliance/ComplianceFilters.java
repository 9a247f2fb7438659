package dev.patchtide.server.compliance;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.compliance.ComplianceMessages.ComplianceStringFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jdbi.v3.core.statement.Query;

/**
 * Compliance string filters ({@code Key}, {@code Values}, {@code Type}), all of which must hold. Within one
 * filter a row matches EQUAL, BEGIN_WITH, LESS_THAN and GREATER_THAN if it does for any value, and
 * NOT_EQUAL if it equals none. Compiled to SQL for stored rows and evaluated in Java, with the same
 * meaning, for rows computed on the fly (Patch items). An absent value compares as the empty string.
 */
final class ComplianceFilters {
    private record Clause(String key, String column, List<String> values, String type) {}

    private final List<Clause> clauses;

    private ComplianceFilters(List<Clause> clauses) {
        this.clauses = clauses;
    }

    /** {@code columns} maps each filter key the listing accepts to its SQL column. */
    static ComplianceFilters of(List<ComplianceStringFilter> filters, Map<String, String> columns) {
        List<Clause> clauses = new ArrayList<>();
        for (ComplianceStringFilter f : filters == null ? List.<ComplianceStringFilter>of() : filters) {
            String column = columns.get(f.key());
            if (column == null) {
                throw new ApiException.Invalid(
                        "InvalidFilter",
                        "The filter key " + f.key() + " isn't valid here; valid keys are "
                                + columns.keySet().stream().sorted().toList());
            }
            clauses.add(new Clause(
                    f.key(),
                    column,
                    f.values() == null ? List.of() : f.values(),
                    Objects.requireNonNullElse(f.type(), "EQUAL")));
        }
        return new ComplianceFilters(List.copyOf(clauses));
    }

    /** Conditions to append to a WHERE clause, each starting with AND; bind with {@link #bind}. */
    String sql() {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < clauses.size(); i++) {
            Clause c = clauses.get(i);
            String column = "coalesce(" + c.column() + ", '')";
            String values = ":filter" + i;
            sql.append(" AND ")
                    .append(
                            switch (c.type()) {
                                case "EQUAL" -> column + " = ANY(" + values + ")";
                                case "NOT_EQUAL" -> "NOT (" + column + " = ANY(" + values + "))";
                                case "BEGIN_WITH" -> column + " ^@ ANY(" + values + ")";
                                case "LESS_THAN" -> column + " < ANY(" + values + ")";
                                case "GREATER_THAN" -> column + " > ANY(" + values + ")";
                                default -> throw new IllegalStateException("validated: " + c.type());
                            });
        }
        return sql.toString();
    }

    void bind(Query query) {
        for (int i = 0; i < clauses.size(); i++) {
            query.bindArray("filter" + i, String.class, clauses.get(i).values());
        }
    }

    /** Whether a row whose value for each filter key is {@code valueOf.apply(key)} passes every filter. */
    boolean matches(Function<String, String> valueOf) {
        for (Clause c : clauses) {
            String value = Objects.requireNonNullElse(valueOf.apply(c.key()), "");
            boolean ok =
                    switch (c.type()) {
                        case "EQUAL" -> c.values().contains(value);
                        case "NOT_EQUAL" -> !c.values().contains(value);
                        case "BEGIN_WITH" -> c.values().stream().anyMatch(value::startsWith);
                        case "LESS_THAN" -> c.values().stream().anyMatch(v -> value.compareTo(v) < 0);
                        case "GREATER_THAN" -> c.values().stream().anyMatch(v -> value.compareTo(v) > 0);
                        default -> throw new IllegalStateException("validated: " + c.type());
                    };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
