package dev.patchtide.workflow.jsonata;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.data.Scope;

/**
 * JSONata for {@code QueryLanguage: JSONata} states: {@code "{% … %}"} strings in {@code Arguments},
 * {@code Output}, {@code Assign}, {@code Condition}, {@code Items}, {@code Seconds} and the rest, with
 * {@code $states} ({@code input}, {@code result}, {@code errorOutput}, {@code context}) and the workflow's
 * variables bound. Failures are {@code States.QueryEvaluationError} (a {@link dev.patchtide.workflow.StatesError}).
 */
public final class Jsonata {
    private Jsonata() {}

    /** Whether {@code text} is a whole {@code {% … %}} expression. */
    public static boolean isExpression(String text) {
        throw new UnsupportedOperationException("jsonata helper: not written yet");
    }

    /**
     * A field's value: a {@code {% %}} string evaluated, objects and arrays walked (their strings evaluated),
     * other values as written.
     */
    public static JsonNode evaluateField(JsonNode field, JsonNode states, Scope scope) {
        throw new UnsupportedOperationException("jsonata helper: not written yet");
    }

    /** One expression, without its delimiters. */
    public static JsonNode evaluate(String expression, JsonNode states, Scope scope) {
        throw new UnsupportedOperationException("jsonata helper: not written yet");
    }
}
