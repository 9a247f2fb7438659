package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.definition.Condition;
import dev.patchtide.workflow.definition.Condition.Comparator;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/** A JSONPath Choice rule tested against a state's input (JSONata conditions go through the jsonata package). */
public final class Conditions {
    private static final Pattern RFC3339 =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})");

    private Conditions() {}

    /**
     * Whether {@code condition} holds. A {@code Variable} (or a {@code …Path} operand) that finds nothing fails
     * with {@code States.Runtime} except under {@code IsPresent}; values of the wrong type compare false.
     */
    public static boolean test(Condition condition, JsonNode input, JsonNode context, Scope scope) {
        return switch (condition) {
            case Condition.And and -> and.all().stream().allMatch(c -> test(c, input, context, scope));
            case Condition.Or or -> or.any().stream().anyMatch(c -> test(c, input, context, scope));
            case Condition.Not not -> !test(not.negated(), input, context, scope);
            case Condition.Compare compare -> compare(compare, input, context, scope);
            case Condition.Jsonata j ->
                throw new IllegalArgumentException(
                        "a JSONata condition is evaluated by the jsonata package, not by Conditions");
        };
    }

    private static boolean compare(Condition.Compare rule, JsonNode input, JsonNode context, Scope scope) {
        Optional<JsonNode> found = JsonPaths.find(rule.variable(), input, context, scope);
        Comparator comparator = rule.comparator();
        if (comparator == Comparator.IsPresent) {
            return found.isPresent() == rule.operand().asBoolean();
        }
        JsonNode value = found.orElseThrow(() -> invalidPath(rule.variable()));
        JsonNode operand = rule.operand();
        if (comparator.path()) {
            String path = operand.textValue();
            operand = JsonPaths.find(path, input, context, scope).orElseThrow(() -> invalidPath(path));
        }
        return switch (comparator) {
            case IsNull -> value.isNull() == operand.asBoolean();
            case IsNumeric -> value.isNumber() == operand.asBoolean();
            case IsString -> value.isTextual() == operand.asBoolean();
            case IsBoolean -> value.isBoolean() == operand.asBoolean();
            case IsTimestamp -> (timestamp(value) != null) == operand.asBoolean();
            case StringMatches ->
                value.isTextual() && operand.isTextual() && matches(value.textValue(), operand.textValue());
            case StringEquals, StringEqualsPath ->
                strings(value, operand) && value.textValue().equals(operand.textValue());
            case StringLessThan, StringLessThanPath -> strings(value, operand) && order(value, operand) < 0;
            case StringGreaterThan, StringGreaterThanPath -> strings(value, operand) && order(value, operand) > 0;
            case StringLessThanEquals, StringLessThanEqualsPath ->
                strings(value, operand) && order(value, operand) <= 0;
            case StringGreaterThanEquals, StringGreaterThanEqualsPath ->
                strings(value, operand) && order(value, operand) >= 0;
            case NumericEquals, NumericEqualsPath -> numbers(value, operand) && numeric(value, operand) == 0;
            case NumericLessThan, NumericLessThanPath -> numbers(value, operand) && numeric(value, operand) < 0;
            case NumericGreaterThan, NumericGreaterThanPath -> numbers(value, operand) && numeric(value, operand) > 0;
            case NumericLessThanEquals, NumericLessThanEqualsPath ->
                numbers(value, operand) && numeric(value, operand) <= 0;
            case NumericGreaterThanEquals, NumericGreaterThanEqualsPath ->
                numbers(value, operand) && numeric(value, operand) >= 0;
            case BooleanEquals, BooleanEqualsPath ->
                value.isBoolean() && operand.isBoolean() && value.booleanValue() == operand.booleanValue();
            case TimestampEquals, TimestampEqualsPath -> instants(value, operand) == 0;
            case TimestampLessThan, TimestampLessThanPath -> instants(value, operand) < 0;
            case TimestampGreaterThan, TimestampGreaterThanPath -> {
                int c = instants(value, operand);
                yield c != Integer.MIN_VALUE && c > 0;
            }
            case TimestampLessThanEquals, TimestampLessThanEqualsPath -> {
                int c = instants(value, operand);
                yield c != Integer.MIN_VALUE && c <= 0;
            }
            case TimestampGreaterThanEquals, TimestampGreaterThanEqualsPath -> {
                int c = instants(value, operand);
                yield c != Integer.MIN_VALUE && c >= 0;
            }
            case IsPresent -> throw new IllegalStateException("handled above");
        };
    }

    private static StatesError invalidPath(String path) {
        return new StatesError(
                StatesError.RUNTIME,
                "Invalid path '" + path + "': The choice state's condition path references an invalid value.");
    }

    private static boolean strings(JsonNode a, JsonNode b) {
        return a.isTextual() && b.isTextual();
    }

    private static int order(JsonNode a, JsonNode b) {
        return Integer.signum(a.textValue().compareTo(b.textValue()));
    }

    private static boolean numbers(JsonNode a, JsonNode b) {
        return a.isNumber() && b.isNumber();
    }

    private static int numeric(JsonNode a, JsonNode b) {
        return a.decimalValue().compareTo(b.decimalValue());
    }

    /** The order of two timestamps, or {@link Integer#MIN_VALUE} when either is not one (which compares false). */
    private static int instants(JsonNode a, JsonNode b) {
        Instant x = timestamp(a);
        Instant y = timestamp(b);
        if (x == null || y == null) {
            return Integer.MIN_VALUE;
        }
        return Integer.signum(x.compareTo(y));
    }

    /** An RFC 3339 timestamp ({@code 2016-03-14T01:59:00Z}, offsets and fractions allowed), else null. */
    static Instant timestamp(JsonNode node) {
        // RFC 3339 as the States Language asks: uppercase T and Z, seconds required.
        if (!node.isTextual() || !RFC3339.matcher(node.textValue()).matches()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(node.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code StringMatches}: {@code *} matches any run of characters; a backslash makes the next one literal. */
    static boolean matches(String text, String pattern) {
        return matchFrom(text, 0, pattern, 0);
    }

    private static boolean matchFrom(String text, int t, String pattern, int p) {
        while (p < pattern.length()) {
            char c = pattern.charAt(p);
            if (c == '*') {
                while (p < pattern.length() && pattern.charAt(p) == '*') {
                    p++;
                }
                if (p == pattern.length()) {
                    return true;
                }
                for (int k = t; k <= text.length(); k++) {
                    if (matchFrom(text, k, pattern, p)) {
                        return true;
                    }
                }
                return false;
            }
            if (c == '\\' && p + 1 < pattern.length()) {
                c = pattern.charAt(++p);
            }
            if (t >= text.length() || text.charAt(t) != c) {
                return false;
            }
            t++;
            p++;
        }
        return t == text.length();
    }
}
