package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.definition.Condition;

/** A JSONPath Choice rule tested against a state's input (JSONata conditions go through the jsonata package). */
public final class Conditions {
    private Conditions() {}

    public static boolean test(Condition condition, JsonNode input, JsonNode context, Scope scope) {
        throw new UnsupportedOperationException("data helper: not written yet");
    }
}
