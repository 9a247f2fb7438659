package dev.patchtide.workflow.definition;

import com.dashjoin.jsonata.JException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/** JSONata {@code "{% … %}"} strings: recognising them and checking that they parse. */
final class Expressions {
    static final String INVALID = "INVALID_JSONATA_EXPRESSION";
    static final String UNSUPPORTED = "UNSUPPORTED_JSONATA_EXPRESSION";

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

    /** Why {@code expression} (without delimiters) does not parse, as AWS words it (without the S0xxx code). */
    static Optional<String> syntaxError(String expression) {
        return parsed(expression).right();
    }

    private record Parse(com.dashjoin.jsonata.Jsonata left, Optional<String> right) {}

    private static Parse parsed(String expression) {
        if (expression.isBlank()) {
            return new Parse(null, Optional.of("Unexpected end of expression"));
        }
        try {
            return new Parse(com.dashjoin.jsonata.Jsonata.jsonata(expression), Optional.empty());
        } catch (JException e) {
            return new Parse(null, Optional.of(String.valueOf(e.getMessage())));
        } catch (RuntimeException e) {
            // the parser can fail in other ways on hostile input; still a syntax error to the author
            return new Parse(null, Optional.of(String.valueOf(e.getMessage())));
        }
    }

    /** Checks every {@code {% %}} string in {@code node} (objects and arrays walked). */
    static void check(JsonNode node, String field, String location, Problems problems) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            if (isExpression(node.asText())) {
                Parse parse = parsed(inner(node.asText()));
                parse.right().ifPresent(why -> problems.error(INVALID, why, location));
                if (parse.left() != null) {
                    for (String name : JsonataReferences.topLevelNames(parse.left())) {
                        problems.error(
                                UNSUPPORTED,
                                "Reference to '" + name + "' at the top level is not supported.",
                                location);
                    }
                }
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
