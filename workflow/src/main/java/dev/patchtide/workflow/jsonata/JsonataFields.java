package dev.patchtide.workflow.jsonata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.data.Scope;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JSONata state's input and output processing, for the interpreter.
 *
 * <ul>
 *   <li>{@link #states}: the {@code $states} object of one evaluation.
 *   <li>{@link #arguments}: what a Task (or Parallel) hands on: {@code Arguments} evaluated, or the state's input
 *       when there is none.
 *   <li>{@link #complete}: {@code Assign} and {@code Output} evaluated against the same bindings (so
 *       {@code Output} sees the variables as they were before this state's {@code Assign}), the variables then set
 *       together. {@code Output} absent: the state's default output, which the caller passes: the result
 *       ({@code $states.result}) for Task, Parallel and Map; the input for Pass, Wait and Choice; the error output
 *       in a {@code Catch}.
 * </ul>
 *
 * <p>{@code prefix} is where the fields sit in the state, as AWS names them in causes: {@code ""} for the state's
 * own fields, {@code "Catch[1]/"} for a catcher's, {@code "Choices[0]/"} for a choice rule's.
 */
public final class JsonataFields {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonataFields() {}

    /**
     * {@code $states}: {@code input} and {@code context} always; {@code result} (after a Task, Parallel or Map
     * ran) and {@code errorOutput} (in a {@code Catch}) when not null, so reading them elsewhere gives nothing.
     */
    public static ObjectNode states(JsonNode input, JsonNode context, JsonNode result, JsonNode errorOutput) {
        ObjectNode states = NODES.objectNode();
        states.set("input", input == null ? NODES.nullNode() : input);
        states.set("context", context == null ? NODES.objectNode() : context);
        if (result != null) {
            states.set("result", result);
        }
        if (errorOutput != null) {
            states.set("errorOutput", errorOutput);
        }
        return states;
    }

    /** {@code Arguments} (field as written, or null when absent) evaluated; absent: {@code $states.input}. */
    public static JsonNode arguments(JsonNode arguments, JsonNode states, Scope scope, Sources sources) {
        if (arguments == null) {
            JsonNode input = states.get("input");
            return input == null ? NODES.nullNode() : input;
        }
        return Jsonata.evaluateField(arguments, "Arguments", states, scope, sources);
    }

    /**
     * Evaluates {@code assign} and {@code output} (each as written, null when absent) against {@code scope} and
     * returns the state's output and the scope with the new variables. Fails with
     * {@code States.QueryEvaluationError} when an expression fails or {@code Assign} is not an object.
     */
    public static Completion complete(
            JsonNode assign,
            JsonNode output,
            JsonNode defaultOutput,
            String prefix,
            JsonNode states,
            Scope scope,
            Sources sources) {
        Bindings bindings = new Bindings(states, scope, sources);
        String at = prefix == null ? "" : prefix;
        Map<String, JsonNode> assigned = assign == null ? Map.of() : assignments(assign, at + "Assign", bindings);
        JsonNode result = output == null ? defaultOutput : Jsonata.walk(output, at + "Output", bindings);
        return new Completion(result, (scope == null ? Scope.EMPTY : scope).assign(assigned));
    }

    private static Map<String, JsonNode> assignments(JsonNode assign, String location, Bindings bindings) {
        JsonNode values = Jsonata.walk(assign, location, bindings);
        if (!values.isObject()) {
            throw new StatesError(StatesError.QUERY_EVALUATION_ERROR, "The field '" + location + "' must be an object");
        }
        Map<String, JsonNode> assigned = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> variable : values.properties()) {
            assigned.put(variable.getKey(), variable.getValue());
        }
        return assigned;
    }

    /** A state's output and the variables after its {@code Assign}. */
    public record Completion(JsonNode output, Scope scope) {}
}
