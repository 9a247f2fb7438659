package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One {@code Catch} entry. {@code resultPath}: as in {@link DataFlow} ({@code "$"} when absent, {@code null} when
 * written as null); {@code output} and {@code assign} (JSONata / variables) are {@code null} when absent.
 */
public record Catcher(List<String> errorEquals, String next, String resultPath, JsonNode output, JsonNode assign) {}
