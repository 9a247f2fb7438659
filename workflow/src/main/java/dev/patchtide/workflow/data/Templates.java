package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Payload templates ({@code Parameters}, {@code ResultSelector}, {@code ItemSelector}, a Catch's or Assign's
 * JSONPath values): fields ending in {@code .$} take the value of a path, a context path or an intrinsic
 * function call; other fields are copied. A path that matches nothing throws {@code States.Runtime} (as AWS
 * reports it for {@code Parameters}).
 */
public final class Templates {
    private Templates() {}

    public static JsonNode apply(JsonNode template, JsonNode input, JsonNode context, Scope scope) {
        throw new UnsupportedOperationException("data helper: not written yet");
    }
}
