package dev.patchtide.workflow.definition;

import com.dashjoin.jsonata.JException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
        return verdict(expression).syntaxError();
    }

    /** What checking one expression found; kept, because parsing costs about half a millisecond. */
    private record Verdict(Optional<String> syntaxError, List<String> topLevelNames, Set<String> statesFields) {}

    private static final int CACHED = 4096;
    private static final Map<String, Verdict> VERDICTS = new ConcurrentHashMap<>();

    private static Verdict verdict(String expression) {
        Verdict known = VERDICTS.get(expression);
        if (known != null) {
            return known;
        }
        Verdict fresh = judge(expression);
        if (VERDICTS.size() >= CACHED) {
            VERDICTS.clear(); // a crude bound: definitions are few, hostile input must not grow the heap
        }
        VERDICTS.put(expression, fresh);
        return fresh;
    }

    private static Verdict judge(String expression) {
        if (expression.isBlank()) {
            return new Verdict(Optional.of("Unexpected end of expression"), List.of(), Set.of());
        }
        try {
            var parsed = com.dashjoin.jsonata.Jsonata.jsonata(expression);
            return new Verdict(
                    Optional.empty(),
                    List.copyOf(JsonataReferences.topLevelNames(parsed)),
                    JsonataReferences.statesFields(parsed));
        } catch (JException e) {
            return new Verdict(Optional.of(String.valueOf(e.getMessage())), List.of(), Set.of());
        } catch (RuntimeException e) {
            // the parser can fail in other ways on hostile input; still a syntax error to the author
            return new Verdict(Optional.of(String.valueOf(e.getMessage())), List.of(), Set.of());
        }
    }

    /** What {@code $states} offers everywhere. */
    static final Set<String> PLAIN = Set.of("input", "context");
    /** Output and Assign of Task, Parallel and Map: the result too. */
    static final Set<String> WITH_RESULT = Set.of("input", "context", "result");
    /** Output and Assign of a catcher: the error output instead of a result. */
    static final Set<String> WITH_ERROR = Set.of("input", "context", "errorOutput");

    static void check(JsonNode node, String location, Problems problems) {
        check(node, PLAIN, location, problems);
    }

    /** Checks every {@code {% %}} string in {@code node} (objects and arrays walked); {@code states}: members
     * of {@code $states} the field may read. */
    static void check(JsonNode node, Set<String> states, String location, Problems problems) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            if (isExpression(node.asText())) {
                Verdict verdict = verdict(inner(node.asText()));
                verdict.syntaxError().ifPresent(why -> problems.error(INVALID, why, location));
                for (String name : verdict.topLevelNames()) {
                    problems.error(
                            UNSUPPORTED, "Reference to '" + name + "' at the top level is not supported.", location);
                }
                for (String member : verdict.statesFields()) {
                    if (!states.contains(member)) {
                        problems.error(UNSUPPORTED, "Field '$states." + member + "' does not exist.", location);
                    }
                }
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                check(e.getValue(), states, location + "/" + e.getKey(), problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), states, location + "[" + i + "]", problems);
            }
        }
    }
}
