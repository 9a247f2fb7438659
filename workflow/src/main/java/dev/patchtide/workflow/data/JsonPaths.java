package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * JSONPath as the States Language uses it: paths ({@code $.a.b[0]}, {@code $..x}, filters, slices), reference
 * paths (a single node), {@code $$} for the context object and {@code $name} for a variable. Failures are
 * {@link dev.patchtide.workflow.StatesError}s with the names AWS gives them.
 */
public final class JsonPaths {
    private JsonPaths() {}

    /**
     * The value at {@code path}: {@code input} for {@code $…}, {@code context} for {@code $$…}, a variable of
     * {@code scope} for {@code $name…}. A path that matches nothing throws {@code States.Runtime}.
     */
    public static JsonNode read(String path, JsonNode input, JsonNode context, Scope scope) {
        throw new UnsupportedOperationException("data helper: not written yet");
    }

    /**
     * {@code ResultPath}: {@code input} with {@code result} placed at the reference path ({@code "$"} replaces the
     * input; {@code null} keeps the input and discards the result). Throws {@code States.ResultPathMatchFailure}
     * when the path cannot be placed in the input.
     */
    public static JsonNode place(String resultPath, JsonNode input, JsonNode result) {
        throw new UnsupportedOperationException("data helper: not written yet");
    }
}
