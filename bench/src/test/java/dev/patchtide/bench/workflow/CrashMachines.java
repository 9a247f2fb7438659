package dev.patchtide.bench.workflow;

import java.util.ArrayList;
import java.util.List;

/**
 * The four STANDARD machines of the crash test and what a correct run of each leaves behind. Every side effect is
 * an {@code events:putEvents} entry onto a bus with an archive, whose detail names the execution and the step: the
 * archive is written in the transaction of the task that puts the event, so it counts each effect exactly.
 */
enum CrashMachines {
    /** A Wait of seconds, then a Wait until the input's timestamp (both usually spanning the kill). */
    WAIT("wait-end"),
    /** A task whose first two attempts fail (their bus does not exist) and whose third succeeds after back-off. */
    RETRY("flaky"),
    /** A {@code .waitForTaskToken} task: the token goes out in an event and comes back after the restart. */
    TOKEN("ask", "token-end"),
    /** An activity worked by the test's own worker. */
    ACTIVITY("activity-end");

    static final String BUS = "crash-effects";
    /** Only attempt 2 of the flaky task finds its bus: {@code crash-flaky-0} and {@code -1} do not exist. */
    static final String FLAKY_BUS = "crash-flaky-2";

    static final String ANNOUNCE = "announce";

    private final List<String> steps;

    CrashMachines(String... after) {
        List<String> all = new ArrayList<>(List.of(ANNOUNCE));
        all.addAll(List.of(after));
        this.steps = List.copyOf(all);
    }

    String machineName() {
        return "crash-" + name().toLowerCase(java.util.Locale.ROOT);
    }

    String executionName(int i) {
        return name().toLowerCase(java.util.Locale.ROOT) + "-" + i;
    }

    static CrashMachines ofExecution(String executionName) {
        return valueOf(executionName.substring(0, executionName.indexOf('-')).toUpperCase(java.util.Locale.ROOT));
    }

    /** The side effects one execution must leave, each exactly once, in this order. */
    List<String> steps() {
        return steps;
    }

    /** The last side effect: once it is archived the execution is (about to be) done. */
    String lastStep() {
        return steps.getLast();
    }

    String definition(String activityArn) {
        return switch (this) {
            case WAIT ->
                """
                {"StartAt": "Announce", "States": {
                  %s,
                  "Pause": {"Type": "Wait", "Seconds": 10, "Next": "Until"},
                  "Until": {"Type": "Wait", "TimestampPath": "$.until", "Next": "Finish"},
                  %s}}
                """
                        .formatted(
                                effect("Announce", ANNOUNCE, BUS, next("Pause")),
                                effect("Finish", "wait-end", BUS, "\"End\": true"));
            case RETRY ->
                """
                {"StartAt": "Announce", "States": {
                  %s,
                  "Flaky": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
                    "Parameters": {"Entries": [{
                      "EventBusName.$": "States.Format('crash-flaky-{}', $$.State.RetryCount)",
                      "Source": "patchtide.crash", "DetailType": "effect",
                      "Detail": {"execution.$": "$$.Execution.Name", "step": "flaky"}}]},
                    "Retry": [{"ErrorEquals": ["EventBridge.FailedEntry"], "IntervalSeconds": 3,
                               "BackoffRate": 2.0, "MaxAttempts": 2}],
                    "ResultPath": null, "End": true}}}
                """
                        .formatted(effect("Announce", ANNOUNCE, BUS, next("Flaky")));
            case TOKEN ->
                """
                {"StartAt": "Announce", "States": {
                  %s,
                  "Ask": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents.waitForTaskToken",
                    "Parameters": {"Entries": [{"EventBusName": "%s", "Source": "patchtide.crash", "DetailType": "effect",
                      "Detail": {"execution.$": "$$.Execution.Name", "step": "ask", "token.$": "$$.Task.Token"}}]},
                    "ResultPath": "$.answer", "Next": "Finish"},
                  %s}}
                """
                        .formatted(
                                effect("Announce", ANNOUNCE, BUS, next("Ask")),
                                BUS,
                                effect("Finish", "token-end", BUS, "\"End\": true"));
            case ACTIVITY ->
                """
                {"StartAt": "Announce", "States": {
                  %s,
                  "Work": {"Type": "Task", "Resource": "%s",
                    "Parameters": {"execution.$": "$$.Execution.Name"},
                    "TimeoutSeconds": 60, "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1}],
                    "ResultPath": "$.work", "Next": "Finish"},
                  %s}}
                """
                        .formatted(
                                effect("Announce", ANNOUNCE, BUS, next("Work")),
                                activityArn,
                                effect("Finish", "activity-end", BUS, "\"End\": true"));
        };
    }

    private static String effect(String state, String step, String bus, String transition) {
        return """
                "%s": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
                    "Parameters": {"Entries": [{"EventBusName": "%s", "Source": "patchtide.crash", "DetailType": "effect",
                      "Detail": {"execution.$": "$$.Execution.Name", "step": "%s"}}]},
                    "ResultPath": null, %s}"""
                .formatted(state, bus, step, transition);
    }

    private static String next(String state) {
        return "\"Next\": \"" + state + "\"";
    }

    /** The history event types of a run with no step repeated. */
    List<String> history() {
        List<String> types = new ArrayList<>(List.of("ExecutionStarted"));
        types.addAll(task());
        switch (this) {
            case WAIT -> {
                types.addAll(List.of("WaitStateEntered", "WaitStateExited", "WaitStateEntered", "WaitStateExited"));
                types.addAll(task());
            }
            case RETRY -> {
                types.add("TaskStateEntered");
                for (int attempt = 0; attempt < 2; attempt++) {
                    types.addAll(List.of("TaskScheduled", "TaskStarted", "TaskFailed"));
                }
                types.addAll(List.of("TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited"));
            }
            case TOKEN -> {
                types.addAll(task());
                types.addAll(task());
            }
            case ACTIVITY -> {
                types.addAll(List.of(
                        "TaskStateEntered",
                        "ActivityScheduled",
                        "ActivityStarted",
                        "ActivitySucceeded",
                        "TaskStateExited"));
                types.addAll(task());
            }
        }
        types.add("ExecutionSucceeded");
        return types;
    }

    private static List<String> task() {
        return List.of("TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited");
    }
}
