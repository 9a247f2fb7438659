package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.data.JsonPaths;
import dev.patchtide.workflow.definition.Condition.Comparator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Choice rules: one comparator (or And/Or/Not) per rule in JSONPath, a Condition in JSONata; Next only on top. */
final class ChoiceChecks {
    static final Set<String> COMPARATORS =
            Arrays.stream(Comparator.values()).map(Enum::name).collect(Collectors.toUnmodifiableSet());
    private static final Set<String> JSONPATH_RULE =
            Set.of("Variable", "Next", "Assign", "Comment", "And", "Or", "Not");
    private static final Set<String> JSONATA_RULE = Set.of("Condition", "Next", "Assign", "Output", "Comment");

    private final Values values;

    ChoiceChecks(Values values) {
        this.values = values;
    }

    void choices(JsonNode state, String location, QueryLanguage language) {
        JsonNode choices = state.get("Choices");
        if (choices == null) {
            return;
        }
        String at = location + "/Choices";
        if (!choices.isArray() || choices.isEmpty()) {
            values.problems().schema("The value for the field 'Choices' must be a non-empty ARRAY", at);
            return;
        }
        for (int i = 0; i < choices.size(); i++) {
            rule(choices.get(i), at + "[" + i + "]", language, true);
        }
    }

    private void rule(JsonNode rule, String at, QueryLanguage language, boolean top) {
        if (!rule.isObject()) {
            values.problems().schema("A choice rule must be an OBJECT", at);
            return;
        }
        if (top) {
            values.required(rule, at, "Next");
            values.string(rule, "Next", at);
        } else {
            for (String f : List.of("Next", "Assign", "Output")) {
                if (rule.has(f)) {
                    values.problems().schema("Field '" + f + "' is not supported in a nested choice rule", at);
                }
            }
        }
        if (rule.has("Assign")) {
            TemplateChecks.assign(rule.get("Assign"), language, at + "/Assign", values.problems());
        }
        if (language == QueryLanguage.JSONATA) {
            rule.fieldNames().forEachRemaining(f -> {
                if (f.equals("Variable")
                        || f.equals("And")
                        || f.equals("Or")
                        || f.equals("Not")
                        || COMPARATORS.contains(f)) {
                    values.problems()
                            .schema(
                                    "The QueryLanguage is set to 'JSONata', but field '" + f
                                            + "' is only supported for the 'JSONPath' QueryLanguage",
                                    at);
                } else if (!JSONATA_RULE.contains(f)) {
                    values.problems().schema("Field '" + f + "' is not supported", at);
                }
            });
            values.required(rule, at, "Condition");
            JsonNode condition = rule.get("Condition");
            if (condition != null && !condition.isBoolean()) {
                if (!Expressions.isExpression(condition)) {
                    values.problems()
                            .schema(
                                    "The value for the field 'Condition' must be a JSONata expression",
                                    at + "/Condition");
                } else {
                    Expressions.check(condition, at + "/Condition", values.problems());
                }
            }
            Expressions.check(rule.get("Output"), at + "/Output", values.problems());
            return;
        }
        jsonPathRule(rule, at);
    }

    private void jsonPathRule(JsonNode rule, String at) {
        var operators = new ArrayList<String>();
        rule.fieldNames().forEachRemaining(f -> {
            if (COMPARATORS.contains(f) || f.equals("And") || f.equals("Or") || f.equals("Not")) {
                operators.add(f);
            } else if (!JSONPATH_RULE.contains(f)) {
                values.problems()
                        .schema(
                                f.equals("Condition") || f.equals("Output")
                                        ? "The QueryLanguage is set to 'JSONPath', but field '" + f
                                                + "' is only supported for the 'JSONata' QueryLanguage"
                                        : "Field '" + f + "' is not supported",
                                at);
            }
        });
        if (operators.size() != 1) {
            values.problems()
                    .schema(
                            operators.isEmpty()
                                    ? "A choice rule must have one comparison operator, or And, Or or Not"
                                    : "A choice rule must have exactly one comparison operator, found " + operators,
                            at);
            return;
        }
        String op = operators.getFirst();
        JsonNode operand = rule.get(op);
        switch (op) {
            case "And", "Or" -> {
                if (rule.has("Variable")) {
                    values.problems().schema("Field 'Variable' is not supported with '" + op + "'", at);
                }
                if (!operand.isArray() || operand.isEmpty()) {
                    values.problems()
                            .schema("The value for the field '" + op + "' must be a non-empty ARRAY", at + "/" + op);
                    return;
                }
                for (int i = 0; i < operand.size(); i++) {
                    rule(operand.get(i), at + "/" + op + "[" + i + "]", QueryLanguage.JSONPATH, false);
                }
            }
            case "Not" -> {
                if (rule.has("Variable")) {
                    values.problems().schema("Field 'Variable' is not supported with 'Not'", at);
                }
                rule(operand, at + "/Not", QueryLanguage.JSONPATH, false);
            }
            default -> comparison(rule, Comparator.valueOf(op), operand, at);
        }
    }

    private void comparison(JsonNode rule, Comparator comparator, JsonNode operand, String at) {
        values.required(rule, at, "Variable");
        values.path(rule, "Variable", at, false);
        String name = comparator.name();
        String field = at + "/" + name;
        boolean ok;
        if (comparator.path()) {
            ok = operand.isTextual() && JsonPaths.isValid(operand.asText());
            if (!ok) {
                values.problems().schema("The value for the field '" + name + "' must be a valid JSONPath", field);
            }
            return;
        }
        String kind;
        if (name.startsWith("String")) {
            kind = "STRING";
            ok = operand.isTextual();
        } else if (name.startsWith("Numeric")) {
            kind = "NUMBER";
            ok = operand.isNumber();
        } else if (name.startsWith("Timestamp")) {
            kind = "a valid TIMESTAMP";
            ok = operand.isTextual() && Timestamps.isValid(operand.asText());
        } else {
            kind = "BOOLEAN";
            ok = operand.isBoolean();
        }
        if (!ok) {
            values.problems().schema("The value for the field '" + name + "' must be " + article(kind), field);
        }
    }

    private static String article(String kind) {
        return kind.startsWith("a ") ? kind : "a " + kind;
    }
}
