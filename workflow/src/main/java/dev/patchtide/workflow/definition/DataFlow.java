package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A state's input and output processing, as written. JSONPath fields: a path field absent from the definition
 * holds its default {@code "$"}; a path field written as JSON {@code null} holds Java {@code null} (the spec gives
 * null its own meaning: an empty input, a discarded result). {@code parameters} and {@code resultSelector} are
 * {@code null} when absent. JSONata fields ({@code arguments}, {@code output}) are {@code null} when absent.
 * {@code assign} (both languages) is {@code null} when absent. Fields a state type does not take keep their
 * defaults.
 */
public record DataFlow(
        String inputPath,
        JsonNode parameters,
        JsonNode resultSelector,
        String resultPath,
        String outputPath,
        JsonNode arguments,
        JsonNode output,
        JsonNode assign) {
    public static final DataFlow DEFAULT = new DataFlow("$", null, null, "$", "$", null, null, null);
}
