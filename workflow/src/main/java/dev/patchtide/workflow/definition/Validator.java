package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Walks a definition and reports every problem: the top level, then each graph (the machine, Parallel branches,
 * Map item processors) with its states, their rules and its transitions. Locations are JSON-pointer-like, with
 * array positions in brackets as AWS writes them ({@code /States/C/Choices[0]/Next}).
 */
final class Validator {
    static final int MAX_STATE_NAME = 80;
    /** Graphs inside graphs; real machines nest a few levels, a hostile one thousands. */
    static final int MAX_GRAPH_DEPTH = 40;

    private final Problems problems;
    private final Values values;
    private final StateChecks states;
    private final Set<String> names = new HashSet<>();
    private final Set<String> labels = new HashSet<>();
    private QueryLanguage machineLanguage = QueryLanguage.JSONPATH;

    private Validator(Problems problems) {
        this.problems = problems;
        this.values = new Values(problems);
        this.states = new StateChecks(values, this);
    }

    static void validate(JsonNode root, Problems problems) {
        new Validator(problems).top(root);
    }

    private void top(JsonNode root) {
        JsonNode language = root.get("QueryLanguage");
        if (language != null) {
            machineLanguage = languageValue(language, "/QueryLanguage");
        }
        values.integer(root, "TimeoutSeconds", "", 1, Values.MAX_SECONDS);
        values.string(root, "Version", "");
        graph(root, "", Fields.TOP_LEVEL, 0);
    }

    /** Checks one graph; false when it is not an object (nothing more to say about it). */
    boolean graph(JsonNode graph, String base, Set<String> allowed, int depth) {
        String where = base.isEmpty() ? "/" : base;
        if (!graph.isObject()) {
            problems.schema("The value must be an OBJECT with StartAt and States", where);
            return false;
        }
        if (depth > MAX_GRAPH_DEPTH) {
            problems.error(Problems.TOO_DEEP, "The states are nested more than " + MAX_GRAPH_DEPTH + " levels", where);
            return false;
        }
        values.unknownFields(graph, allowed, where);
        values.required(graph, where, "StartAt", "States");
        values.string(graph, "StartAt", base);
        values.string(graph, "Comment", base);
        JsonNode statesNode = graph.get("States");
        if (statesNode == null) {
            return true;
        }
        if (!statesNode.isObject() || statesNode.isEmpty()) {
            problems.schema("The value for the field 'States' must be a non-empty OBJECT", base + "/States");
            return true;
        }
        Map<String, JsonNode> typed = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : statesNode.properties()) {
            String name = e.getKey();
            String at = base + "/States/" + name;
            if (name.isEmpty() || name.codePointCount(0, name.length()) > MAX_STATE_NAME) {
                problems.error(
                        Problems.INVALID_STATE_NAME,
                        "State name must be between 1 and " + MAX_STATE_NAME + " characters long",
                        at);
            }
            if (!names.add(name)) {
                problems.error(Problems.DUPLICATE_STATE, "Duplicate State name: " + name, at);
            }
            type(e.getValue(), at).ifPresent(type -> {
                states.check(e.getValue(), at, stateLanguage(e.getValue(), at), depth);
                typed.put(name, e.getValue());
            });
        }
        Transitions.check(graph, statesNode, typed, base, problems);
        return true;
    }

    private java.util.Optional<String> type(JsonNode state, String at) {
        if (!state.isObject()) {
            problems.schema("The value for a state must be an OBJECT", at);
            return java.util.Optional.empty();
        }
        JsonNode type = state.get("Type");
        if (type == null) {
            problems.schema("These fields are required: [Type]", at);
            return java.util.Optional.empty();
        }
        if (!type.isTextual() || !Fields.TYPES.contains(type.asText())) {
            problems.schema(
                    "The value for the field 'Type' must be one of " + new java.util.TreeSet<>(Fields.TYPES),
                    at + "/Type");
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(type.asText());
    }

    /** A state's own QueryLanguage, else the machine's (a Map or Parallel does not pass its own down). */
    private QueryLanguage stateLanguage(JsonNode state, String at) {
        JsonNode own = state.get("QueryLanguage");
        if (own == null) {
            return machineLanguage;
        }
        QueryLanguage language = languageValue(own, at + "/QueryLanguage");
        if (machineLanguage == QueryLanguage.JSONATA && language == QueryLanguage.JSONPATH) {
            problems.schema("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", at);
        }
        return language;
    }

    /** As AWS reads it: JSONPath only for exactly "JSONPath"; any other value means JSONata (and is reported). */
    private QueryLanguage languageValue(JsonNode value, String at) {
        String text = value.isTextual() ? value.asText() : "";
        if (text.equals("JSONPath")) {
            return QueryLanguage.JSONPATH;
        }
        if (!text.equals("JSONata")) {
            problems.schema("The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]", at);
        }
        return QueryLanguage.JSONATA;
    }

    /** A Map's Label, unique across the machine. */
    void label(String label, String at) {
        if (!labels.add(label)) {
            problems.error(Problems.DUPLICATE_LABEL, "Duplicate Label name: " + label, at);
        }
    }
}
