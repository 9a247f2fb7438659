package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;

/** How an execution ended, as {@code DescribeExecution} reports it. */
public sealed interface Outcome {
    record Succeeded(JsonNode output) implements Outcome {}

    record Failed(String error, String cause) implements Outcome {}

    record TimedOut(String error, String cause) implements Outcome {}

    record Aborted(String error, String cause) implements Outcome {}
}
