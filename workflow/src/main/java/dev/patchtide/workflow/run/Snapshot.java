package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Everything a running execution is (the states in progress across branches and iterations, their inputs,
 * retry counts, variables, pending tasks and timers, the next event id), as an opaque value. {@link #toJson}
 * and {@link #fromJson} let a host store it; the interpreter never reads anything else.
 */
public interface Snapshot {
    JsonNode toJson();

    static Snapshot fromJson(JsonNode json) {
        return Run.fromJson(json);
    }
}
