package dev.patchtide.agent.commands;

import java.time.Instant;

/**
 * What the journal knows of one step of the plan: {@code end} is null while the step runs (or waits for the
 * reboot it asked for).
 */
record StepRecord(String name, String action, String status, int responseCode, Instant start, Instant end) {

    static StepRecord started(String name, String action, Instant start) {
        return new StepRecord(name, action, "InProgress", -1, start, null);
    }

    StepRecord ended(String status, int code, Instant at) {
        return new StepRecord(name, action, status, code, start, at);
    }

    boolean finished() {
        return end != null;
    }
}
