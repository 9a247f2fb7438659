package dev.patchtide.workflow.definition;

import java.util.Map;
import java.util.Set;

/** Which fields each state type takes, and which belong to one query language only (AWS's state fields table). */
final class Fields {
    static final Set<String> TYPES = Set.of("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map");

    /** Written only in JSONPath states (JSONata has Arguments / Output / Items in their place). */
    static final Set<String> JSONPATH_ONLY = Set.of(
            "InputPath",
            "OutputPath",
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "Result",
            "ItemsPath",
            "SecondsPath",
            "TimestampPath",
            "TimeoutSecondsPath",
            "HeartbeatSecondsPath",
            "ErrorPath",
            "CausePath",
            "MaxConcurrencyPath",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentagePath");

    static final Set<String> JSONATA_ONLY = Set.of("Arguments", "Output", "Items");

    private static final Set<String> COMMON = Set.of("Type", "Comment", "QueryLanguage");

    private static final Map<String, Set<String>> BY_TYPE = Map.of(
            "Pass",
            with("Next", "End", "InputPath", "OutputPath", "Parameters", "Result", "ResultPath", "Assign", "Output"),
            "Task",
            with(
                    "Next",
                    "End",
                    "InputPath",
                    "OutputPath",
                    "Parameters",
                    "Arguments",
                    "ResultSelector",
                    "ResultPath",
                    "Retry",
                    "Catch",
                    "Resource",
                    "TimeoutSeconds",
                    "TimeoutSecondsPath",
                    "HeartbeatSeconds",
                    "HeartbeatSecondsPath",
                    "Credentials",
                    "Assign",
                    "Output"),
            "Choice",
            with("InputPath", "OutputPath", "Choices", "Default", "Assign", "Output"),
            "Wait",
            with(
                    "Next",
                    "End",
                    "InputPath",
                    "OutputPath",
                    "Seconds",
                    "SecondsPath",
                    "Timestamp",
                    "TimestampPath",
                    "Assign",
                    "Output"),
            "Succeed",
            with("InputPath", "OutputPath", "Output"),
            "Fail",
            with("Error", "ErrorPath", "Cause", "CausePath"),
            "Parallel",
            with(
                    "Next",
                    "End",
                    "InputPath",
                    "OutputPath",
                    "Parameters",
                    "Arguments",
                    "ResultSelector",
                    "ResultPath",
                    "Retry",
                    "Catch",
                    "Branches",
                    "Assign",
                    "Output"),
            "Map",
            with(
                    "Next",
                    "End",
                    "InputPath",
                    "OutputPath",
                    "ItemsPath",
                    "Items",
                    "ItemProcessor",
                    "Iterator",
                    "ItemSelector",
                    "Parameters",
                    "ItemReader",
                    "ItemBatcher",
                    "ResultWriter",
                    "MaxConcurrency",
                    "MaxConcurrencyPath",
                    "ToleratedFailureCount",
                    "ToleratedFailureCountPath",
                    "ToleratedFailurePercentage",
                    "ToleratedFailurePercentagePath",
                    "Label",
                    "ResultSelector",
                    "ResultPath",
                    "Retry",
                    "Catch",
                    "Assign",
                    "Output"));

    static final Set<String> TOP_LEVEL =
            Set.of("Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage");
    static final Set<String> BRANCH = Set.of("Comment", "StartAt", "States");
    static final Set<String> PROCESSOR = Set.of("Comment", "StartAt", "States", "ProcessorConfig");
    static final Set<String> RETRIER = Set.of(
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
            "Comment");
    static final Set<String> CATCHER = Set.of("ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment");

    private Fields() {}

    static Set<String> allowed(String type) {
        return BY_TYPE.get(type);
    }

    static boolean hasTransition(String type) {
        return !type.equals("Choice") && !type.equals("Succeed") && !type.equals("Fail");
    }

    private static Set<String> with(String... fields) {
        var all = new java.util.HashSet<>(COMMON);
        all.addAll(Set.of(fields));
        return Set.copyOf(all);
    }
}
