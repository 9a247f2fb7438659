package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;

/** One entry of a Choice state's {@code Choices}; {@code assign} and {@code output} are {@code null} when absent. */
public record ChoiceBranch(Condition condition, String next, JsonNode assign, JsonNode output) {}
