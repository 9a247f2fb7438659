package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Choice rules of an accepted definition as {@link Condition} trees. */
final class ConditionReader {
    private ConditionReader() {}

    static List<ChoiceBranch> branches(JsonNode state, QueryLanguage language) {
        var out = new ArrayList<ChoiceBranch>();
        for (JsonNode rule : state.get("Choices")) {
            out.add(new ChoiceBranch(
                    condition(rule, language), rule.get("Next").asText(), rule.get("Assign"), rule.get("Output")));
        }
        return List.copyOf(out);
    }

    static Condition condition(JsonNode rule, QueryLanguage language) {
        if (language == QueryLanguage.JSONATA) {
            JsonNode c = rule.get("Condition");
            return new Condition.Jsonata(c.isTextual() ? Expressions.inner(c.asText()) : c.asText());
        }
        for (Map.Entry<String, JsonNode> e : rule.properties()) {
            switch (e.getKey()) {
                case "And" -> {
                    return new Condition.And(all(e.getValue()));
                }
                case "Or" -> {
                    return new Condition.Or(all(e.getValue()));
                }
                case "Not" -> {
                    return new Condition.Not(condition(e.getValue(), language));
                }
                default -> {
                    if (ChoiceChecks.COMPARATORS.contains(e.getKey())) {
                        return new Condition.Compare(
                                rule.get("Variable").asText(), Condition.Comparator.valueOf(e.getKey()), e.getValue());
                    }
                }
            }
        }
        throw new IllegalStateException("the validator admits no rule without an operator");
    }

    private static List<Condition> all(JsonNode rules) {
        var out = new ArrayList<Condition>();
        rules.forEach(r -> out.add(condition(r, QueryLanguage.JSONPATH)));
        return List.copyOf(out);
    }
}
