package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A Choice rule's boolean expression. */
public sealed interface Condition {
    record And(List<Condition> all) implements Condition {}

    record Or(List<Condition> any) implements Condition {}

    record Not(Condition negated) implements Condition {}

    /**
     * {@code Variable} compared by {@code comparator}. For the {@code …Path} comparators {@code operand} is a text
     * node holding the path; for the {@code Is…} tests it is the boolean written in the definition.
     */
    record Compare(String variable, Comparator comparator, JsonNode operand) implements Condition {}

    /** JSONata {@code Condition}, without its {@code {% %}} delimiters. */
    record Jsonata(String expression) implements Condition {}

    /** Every comparison operator, named as in the definition; {@link #path} tells the {@code …Path} forms. */
    enum Comparator {
        StringEquals,
        StringEqualsPath,
        StringLessThan,
        StringLessThanPath,
        StringGreaterThan,
        StringGreaterThanPath,
        StringLessThanEquals,
        StringLessThanEqualsPath,
        StringGreaterThanEquals,
        StringGreaterThanEqualsPath,
        StringMatches,
        NumericEquals,
        NumericEqualsPath,
        NumericLessThan,
        NumericLessThanPath,
        NumericGreaterThan,
        NumericGreaterThanPath,
        NumericLessThanEquals,
        NumericLessThanEqualsPath,
        NumericGreaterThanEquals,
        NumericGreaterThanEqualsPath,
        BooleanEquals,
        BooleanEqualsPath,
        TimestampEquals,
        TimestampEqualsPath,
        TimestampLessThan,
        TimestampLessThanPath,
        TimestampGreaterThan,
        TimestampGreaterThanPath,
        TimestampLessThanEquals,
        TimestampLessThanEqualsPath,
        TimestampGreaterThanEquals,
        TimestampGreaterThanEqualsPath,
        IsNull,
        IsPresent,
        IsNumeric,
        IsString,
        IsBoolean,
        IsTimestamp;

        public boolean path() {
            return name().endsWith("Path");
        }
    }
}
