package dev.patchtide.workflow.jsonata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.data.Scope;
import java.util.Map;
import java.util.Optional;

/**
 * JSONata for {@code QueryLanguage: JSONata} states: {@code "{% … %}"} strings in {@code Arguments},
 * {@code Output}, {@code Assign}, {@code Condition}, {@code Items}, {@code Seconds} and the rest, with
 * {@code $states} ({@code input}, {@code result}, {@code errorOutput}, {@code context}) and the workflow's
 * variables bound. Failures are {@code States.QueryEvaluationError} (a {@link dev.patchtide.workflow.StatesError}).
 *
 * <p>Causes read as AWS writes them, naming the expression and the field (its {@code location}, written as AWS
 * writes it: {@code Output/v}, {@code Arguments/list[1]}, {@code Choices[0]/Condition}):
 * <ul>
 *   <li>{@code The JSONata expression '$states.input.x' specified for the field 'Output/v' returned nothing
 *       (undefined).}
 *   <li>{@code The JSONata expression '$abs('a')' specified for the field 'Output/v' threw an error during
 *       evaluation. T0410: Argument 1 of function "abs" does not match function signature}
 * </ul>
 * In an execution AWS puts {@code An error occurred while executing the state 'S' (entered at the event id #N). }
 * in front: {@link #inState} does that for the interpreter, which knows the state and the event id.
 *
 * <p>Every method is thread-safe. Each expression text is compiled once (a bounded cache). Evaluation is bounded
 * (nesting depth 100, a value's size, as AWS; and 5 seconds), so a hostile expression fails the state instead of
 * holding a thread. {@code $now()}, {@code $millis()}, {@code $uuid()} and {@code $random()} read the
 * {@link Sources} given; the overloads without one use {@link Sources#SYSTEM}.
 */
public final class Jsonata {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Jsonata() {}

    /**
     * Whether {@code text} is a whole {@code {% … %}} expression: it starts with {@code {%} and ends with
     * {@code %}} (no space before or after, as AWS requires). Anything else is a plain string.
     */
    public static boolean isExpression(String text) {
        return text != null && text.length() >= 4 && text.startsWith("{%") && text.endsWith("%}");
    }

    /** Whether {@code node} is a string holding a whole expression. */
    public static boolean isExpression(JsonNode node) {
        return node != null && node.isTextual() && isExpression(node.textValue());
    }

    /** The expression inside {@code {% … %}}, trimmed (as AWS quotes it in causes). */
    public static String unwrap(String text) {
        if (!isExpression(text)) {
            throw new IllegalArgumentException("not a {% %} expression: " + text);
        }
        return text.substring(2, text.length() - 2).trim();
    }

    /**
     * Why {@code expression} (without its delimiters) does not compile, e.g. {@code S0202: Expected ")", got "]"},
     * or empty when it does. For the definition validator.
     */
    public static Optional<String> syntaxError(String expression) {
        if (expression == null || expression.isBlank()) {
            return Optional.of("The JSONata expression is empty");
        }
        Failure failure = Programs.compile(expression).syntaxError();
        return failure == null ? Optional.empty() : Optional.of(failure.text());
    }

    /**
     * A field's value: a {@code {% %}} string evaluated, objects and arrays walked (their strings evaluated),
     * other values as written. An expression that returns nothing fails. Causes name no field; prefer
     * {@link #evaluateField(JsonNode, String, JsonNode, Scope, Sources)}.
     */
    public static JsonNode evaluateField(JsonNode field, JsonNode states, Scope scope) {
        return evaluateField(field, null, states, scope, Sources.SYSTEM);
    }

    /**
     * A field's value, as {@link #evaluateField(JsonNode, JsonNode, Scope)}, with causes naming {@code location}
     * (the field as AWS names it, e.g. {@code Arguments}, {@code Catch[0]/Output}; nested members extend it).
     * All expressions of the field see the same bindings.
     */
    public static JsonNode evaluateField(
            JsonNode field, String location, JsonNode states, Scope scope, Sources sources) {
        return walk(field, location, new Bindings(states, scope, sources));
    }

    /**
     * One expression, without its delimiters. Returns {@link MissingNode} when it returns nothing (JSONata's
     * undefined); a JSON null result is {@code NullNode}.
     */
    public static JsonNode evaluate(String expression, JsonNode states, Scope scope) {
        return evaluate(expression, states, scope, Sources.SYSTEM);
    }

    /** {@link #evaluate(String, JsonNode, Scope)} with the caller's clock and random sources. */
    public static JsonNode evaluate(String expression, JsonNode states, Scope scope, Sources sources) {
        return evaluate(expression, null, new Bindings(states, scope, sources), true);
    }

    /**
     * One expression (without its delimiters) written in the field {@code location}; returning nothing fails, as
     * on AWS (a {@code Seconds} that returns nothing does not wait zero seconds).
     */
    public static JsonNode evaluate(String expression, String location, JsonNode states, Scope scope, Sources sources) {
        return evaluate(expression, location, new Bindings(states, scope, sources), false);
    }

    /**
     * {@code error} as it reads in an execution: AWS's sentence naming the state and the id of its entered
     * event, then the cause. Only {@code States.QueryEvaluationError} gets it; other errors are returned as given.
     */
    public static StatesError inState(StatesError error, String stateName, long enteredEventId) {
        if (!StatesError.QUERY_EVALUATION_ERROR.equals(error.error())) {
            return error;
        }
        return new StatesError(
                error.error(),
                "An error occurred while executing the state '" + stateName + "' (entered at the event id #"
                        + enteredEventId + "). " + error.cause());
    }

    /**
     * The field a {@code States.QueryEvaluationError} from this package names ({@code Output/v}), for the
     * {@code location} of an {@code EvaluationFailed} event; empty for other errors.
     */
    public static Optional<String> location(StatesError error) {
        String cause = error.cause();
        String marker = "' specified for the field '";
        int at = cause.indexOf(marker);
        if (!StatesError.QUERY_EVALUATION_ERROR.equals(error.error()) || at < 0) {
            return Optional.empty();
        }
        int start = at + marker.length();
        for (String end : new String[] {"' returned ", "' threw an "}) {
            int stop = cause.indexOf(end, start);
            if (stop >= 0) {
                return Optional.of(cause.substring(start, stop));
            }
        }
        return Optional.empty();
    }

    static JsonNode walk(JsonNode node, String location, Bindings bindings) {
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            String text = node.textValue();
            return isExpression(text) ? evaluate(unwrap(text), location, bindings, false) : node;
        }
        if (node.isObject()) {
            ObjectNode object = NODES.objectNode();
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                object.set(member.getKey(), walk(member.getValue(), child(location, "/" + member.getKey()), bindings));
            }
            return object;
        }
        if (node.isArray()) {
            ArrayNode array = NODES.arrayNode(node.size());
            for (int i = 0; i < node.size(); i++) {
                array.add(walk(node.get(i), child(location, "[" + i + "]"), bindings));
            }
            return array;
        }
        return node;
    }

    private static String child(String location, String suffix) {
        if (location == null) {
            return null;
        }
        return location.isEmpty() ? suffix.substring(suffix.startsWith("/") ? 1 : 0) : location + suffix;
    }

    static JsonNode evaluate(String expression, String location, Bindings bindings, boolean undefinedOk) {
        Evaluator.Result result;
        try {
            result = Evaluator.evaluate(expression, bindings);
        } catch (Evaluator.Failed failed) {
            Failure failure = failed.failure();
            throw queryError(
                    expression,
                    location,
                    "threw an error during evaluation" + (failure.coded() ? ". " : ": ") + failure.text());
        }
        return switch (result) {
            case Evaluator.Result.Value value -> value.json();
            case Evaluator.Result.Undefined undefined -> {
                if (undefinedOk) {
                    yield MissingNode.getInstance();
                }
                throw queryError(expression, location, "returned nothing (undefined).");
            }
            case Evaluator.Result.Unsupported unsupported ->
                throw queryError(expression, location, "returned an unsupported result type.");
        };
    }

    private static StatesError queryError(String expression, String location, String what) {
        String field = location == null ? "" : " specified for the field '" + location + "'";
        return new StatesError(
                StatesError.QUERY_EVALUATION_ERROR, "The JSONata expression '" + expression + "'" + field + " " + what);
    }
}
