package dev.patchtide.workflow.definition;

import com.dashjoin.jsonata.JException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/** JSONata {@code "{% … %}"} strings: recognising them and checking that they parse. */
final class Expressions {
    private Expressions() {}

    static boolean isExpression(JsonNode node) {
        return node != null && node.isTextual() && isExpression(node.asText());
    }

    static boolean isExpression(String text) {
        return text.length() >= 4 && text.startsWith("{%") && text.endsWith("%}");
    }

    /** The expression inside its delimiters. */
    static String inner(String text) {
        return text.substring(2, text.length() - 2).strip();
    }

    /** Why {@code expression} (without delimiters) does not parse, if it does not. */
    static Optional<String> syntaxError(String expression) {
        if (expression.isBlank()) {
            return Optional.of("the expression is empty");
        }
        try {
            com.dashjoin.jsonata.Jsonata.jsonata(expression);
            return Optional.empty();
        } catch (JException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        } catch (RuntimeException e) {
            // the parser can fail in other ways on hostile input; still a syntax error to the author
            return Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Checks every {@code {% %}} string in {@code node} (objects and arrays walked). */
    static void check(JsonNode node, String field, String location, Problems problems) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            if (isExpression(node.asText())) {
                syntaxError(inner(node.asText()))
                        .ifPresent(why -> problems.schema(
                                "The value for the field '" + field + "' must be a valid JSONata expression: " + why,
                                location));
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                check(e.getValue(), e.getKey(), location + "/" + e.getKey(), problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), field, location + "[" + i + "]", problems);
            }
        }
    }
}
