package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.data.Intrinsics;
import dev.patchtide.workflow.data.JsonPaths;
import java.util.Map;
import java.util.Set;

/** Payload templates (Parameters, ResultSelector, ItemSelector), Assign blocks and variable names. */
final class TemplateChecks {
    static final int MAX_VARIABLE_NAME = 80;

    private TemplateChecks() {}

    /** JSONPath payload template: every {@code "key.$"} holds a path or an intrinsic function call. */
    static void payload(JsonNode node, String location, Problems problems) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String key = e.getKey();
                String at = location + "/" + key;
                if (key.endsWith(".$")) {
                    dynamicValue(key, e.getValue(), at, problems);
                } else {
                    noDollar(key, e.getValue(), at, problems);
                    payload(e.getValue(), at, problems);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                payload(node.get(i), location + "[" + i + "]", problems);
            }
        }
    }

    /** A static value that reads like a path or an intrinsic call: most likely a forgotten ".$". */
    static void noDollar(String key, JsonNode value, String at, Problems problems) {
        if (value.isTextual() && looksDynamic(value.asText())) {
            problems.warning(
                    "NO_DOLLAR",
                    "The value of the field '" + key
                            + "' looks like a JSONPath or an intrinsic function, but the field name does not end with '.$'",
                    at);
        }
    }

    static boolean looksDynamic(String text) {
        return (text.startsWith("$") && JsonPaths.isValid(text) && !text.equals("$"))
                || (text.startsWith("States.") && Intrinsics.isValid(text));
    }

    private static void dynamicValue(String key, JsonNode value, String at, Problems problems) {
        boolean ok = value.isTextual()
                && (value.asText().startsWith("States.")
                        ? Intrinsics.isValid(value.asText())
                        : JsonPaths.isValid(value.asText()));
        if (!ok) {
            problems.schema(
                    "The value for the field '" + key + "' must be a valid JSONPath or a valid intrinsic function call",
                    at);
        }
    }

    /** Assign: an object of variable names; in JSONPath states a {@code ".$"} suffix marks a path value. */
    static void assign(JsonNode node, QueryLanguage language, String location, Problems problems) {
        assign(node, language, Expressions.PLAIN, location, problems);
    }

    /** {@code states}: the members of JSONata's {@code $states} the block may read. */
    static void assign(JsonNode node, QueryLanguage language, Set<String> states, String location, Problems problems) {
        if (!node.isObject()) {
            problems.schema("The value for the field 'Assign' must be an OBJECT", location);
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            String at = location + "/" + key;
            boolean dynamic = language == QueryLanguage.JSONPATH && key.endsWith(".$");
            String name = dynamic ? key.substring(0, key.length() - 2) : key;
            if (!isVariableName(name)) {
                problems.schema("The variable name '" + name + "' is not valid", at);
            }
            if (language == QueryLanguage.JSONATA) {
                Expressions.check(e.getValue(), states, at, problems);
            } else if (dynamic) {
                dynamicValue(key, e.getValue(), at, problems);
            } else {
                payload(e.getValue(), at, problems);
            }
        }
    }

    /**
     * A variable name: letters, digits and underscores (Unicode identifier characters), not starting with a
     * digit, at most 80 characters; {@code states} is reserved for JSONata's {@code $states}.
     */
    static boolean isVariableName(String name) {
        if (name.isEmpty() || name.length() > MAX_VARIABLE_NAME || name.equals("states")) {
            return false;
        }
        int first = name.codePointAt(0);
        if (!(Character.isUnicodeIdentifierStart(first) || first == '_')) {
            return false;
        }
        return name.codePoints()
                .allMatch(
                        c -> (Character.isUnicodeIdentifierPart(c) && !Character.isIdentifierIgnorable(c)) || c == '_');
    }
}
