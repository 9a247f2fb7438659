package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.data.Intrinsics;
import dev.patchtide.workflow.data.JsonPaths;
import java.util.Set;
import java.util.regex.Pattern;

/** The rules of one state: its fields for its type and language, its transition, and its type's own fields. */
final class StateChecks {
    static final int MAX_LABEL = 40;
    private static final Pattern ARN = Pattern.compile("arn:[a-z0-9-]+:[A-Za-z0-9-]+:[^:\\s]*:[^:\\s]*:\\S+");

    /** The one {@code .sync} of an AWS SDK integration: a Patchtide extension (AWS offers none for aws-sdk). */
    static final String SEND_COMMAND_SYNC = "arn:aws:states:::aws-sdk:ssm:sendCommand.sync";

    private final Values values;
    private final Problems problems;
    private final Validator graphs;
    private final HandlerChecks handlers;
    private final ChoiceChecks choices;

    StateChecks(Values values, Validator graphs) {
        this.values = values;
        this.problems = values.problems();
        this.graphs = graphs;
        this.handlers = new HandlerChecks(values);
        this.choices = new ChoiceChecks(values);
    }

    void check(JsonNode state, String at, QueryLanguage language, int depth) {
        String type = state.get("Type").asText();
        values.unknownFields(state, Fields.allowed(type), at);
        languageOnly(state, language, at, problems);
        values.string(state, "Comment", at);
        if (Fields.hasTransition(type)) {
            transition(state, at);
        }
        dataFlow(state, type, at, language);
        switch (type) {
            case "Task" -> task(state, at, language);
            case "Choice" -> {
                values.required(state, at, "Choices");
                choices.choices(state, at, language);
                values.string(state, "Default", at);
            }
            case "Wait" -> waitFor(state, at, language);
            case "Fail" -> fail(state, at, language);
            case "Parallel" -> parallel(state, at, depth);
            case "Map" -> MapChecks.check(state, at, language, depth, values, graphs);
            default -> {}
        }
        if (type.equals("Parallel") || type.equals("Map") || type.equals("Task")) {
            handlers.retry(state, at);
            handlers.catchers(state, at, language);
        }
    }

    /** A field that belongs to the other query language. */
    static void languageOnly(JsonNode node, QueryLanguage language, String at, Problems problems) {
        Set<String> foreign = language == QueryLanguage.JSONPATH ? Fields.JSONATA_ONLY : Fields.JSONPATH_ONLY;
        node.fieldNames().forEachRemaining(f -> {
            if (foreign.contains(f)) {
                problems.schema(
                        language == QueryLanguage.JSONPATH
                                ? "The QueryLanguage is set to 'JSONPath', but field '" + f
                                        + "' is only supported for the 'JSONata' QueryLanguage"
                                : "The QueryLanguage is set to 'JSONata', but field '" + f
                                        + "' is only supported for the 'JSONPath' QueryLanguage",
                        at);
            }
        });
    }

    private void transition(JsonNode state, String at) {
        JsonNode end = state.get("End");
        boolean hasNext = state.has("Next");
        if (end != null && !end.isBoolean()) {
            problems.schema("The value for the field 'End' must be a BOOLEAN", at + "/End");
            return;
        }
        boolean ends = end != null && end.asBoolean();
        if (hasNext && ends) {
            problems.schema("Only one of the fields 'Next' or 'End' may be set", at);
        } else if (!hasNext && !ends) {
            problems.schema("One of the fields 'Next' or 'End' is required", at);
        }
        values.string(state, "Next", at);
    }

    private void dataFlow(JsonNode state, String type, String at, QueryLanguage language) {
        // a result exists for Output and Assign only where the state produced one
        Set<String> afterwards =
                Set.of("Task", "Parallel", "Map").contains(type) ? Expressions.WITH_RESULT : Expressions.PLAIN;
        if (state.has("Assign")) {
            TemplateChecks.assign(state.get("Assign"), language, afterwards, at + "/Assign", problems);
        }
        if (language == QueryLanguage.JSONATA) {
            Expressions.check(state.get("Output"), afterwards, at + "/Output", problems);
            JsonNode arguments = state.get("Arguments");
            if (arguments != null) {
                if (!arguments.isObject() && !Expressions.isExpression(arguments)) {
                    problems.schema(
                            "The value for the field 'Arguments' must be an OBJECT or a JSONata expression",
                            at + "/Arguments");
                }
                Expressions.check(arguments, at + "/Arguments", problems);
            }
            return;
        }
        if (type.equals("Pass") && state.has("Result")) {
            passResult(state.get("Result"), at + "/Result");
        }
        values.path(state, "InputPath", at, true);
        values.path(state, "OutputPath", at, true);
        values.resultPath(state, at);
        for (String template : new String[] {"Parameters", "ResultSelector"}) {
            JsonNode t = state.get(template);
            if (t != null && !(type.equals("Map") && template.equals("Parameters"))) {
                if (template.equals("ResultSelector") && !t.isObject()) {
                    problems.schema("The value for the field 'ResultSelector' must be an OBJECT", at + "/" + template);
                }
                TemplateChecks.payload(t, at + "/" + template, problems);
            }
        }
    }

    /** Result is never evaluated: a ".$" key or a path in it is taken literally. */
    private void passResult(JsonNode result, String at) {
        boolean dynamic = result.isTextual() && TemplateChecks.looksDynamic(result.asText());
        if (result.isObject()) {
            var keys = new java.util.ArrayList<String>();
            result.fieldNames().forEachRemaining(keys::add);
            dynamic = keys.stream().anyMatch(k -> k.endsWith(".$"));
        }
        if (dynamic) {
            problems.warning(
                    "PASS_RESULT_IS_STATIC",
                    "The Result of a Pass state is static: paths and intrinsic functions in it are not evaluated",
                    at);
        }
    }

    /** AWS SDK integrations answer and wait for a callback, but run no job: {@code .sync} is refused for them. */
    private static boolean unknownSdkJob(String resource) {
        return resource.startsWith("arn:aws:states:::aws-sdk:")
                && (resource.endsWith(".sync") || resource.endsWith(".sync:2"))
                && !resource.equals(SEND_COMMAND_SYNC);
    }

    private void task(JsonNode state, String at, QueryLanguage language) {
        values.required(state, at, "Resource");
        if (values.string(state, "Resource", at)
                && !ARN.matcher(state.get("Resource").asText()).matches()) {
            problems.error(
                    Problems.INVALID_RESOURCE,
                    "Resource is not a valid ARN: " + state.get("Resource").asText(),
                    at + "/Resource");
        } else if (values.string(state, "Resource", at)
                && unknownSdkJob(state.get("Resource").asText())) {
            problems.schema(
                    "The resource provided " + state.get("Resource").asText() + " is not recognized. The value is not"
                            + " a valid resource ARN, or the resource is not available in this region.",
                    at + "/Resource");
        }
        boolean timeout = values.exclusive(state, "TimeoutSeconds", "TimeoutSecondsPath", at)
                & seconds(state, "TimeoutSeconds", at, language, 1);
        boolean heartbeat = values.exclusive(state, "HeartbeatSeconds", "HeartbeatSecondsPath", at)
                & seconds(state, "HeartbeatSeconds", at, language, 1);
        values.referencePath(state, "TimeoutSecondsPath", at, false);
        values.referencePath(state, "HeartbeatSecondsPath", at, false);
        if (timeout && heartbeat) {
            JsonNode t = state.get("TimeoutSeconds");
            JsonNode h = state.get("HeartbeatSeconds");
            if (t.isNumber() && h.isNumber() && h.asLong() >= t.asLong()) {
                problems.schema(
                        "The value for the field 'HeartbeatSeconds' must be smaller than 'TimeoutSeconds'",
                        at + "/HeartbeatSeconds");
            }
        }
        JsonNode credentials = state.get("Credentials");
        if (credentials != null && !credentials.isObject()) {
            problems.schema("The value for the field 'Credentials' must be an OBJECT", at + "/Credentials");
        }
    }

    /** A whole number of seconds, or in JSONata a {@code {% %}} expression; true when present and valid. */
    boolean seconds(JsonNode state, String field, String at, QueryLanguage language, long min) {
        JsonNode v = state.get(field);
        if (v == null) {
            return false;
        }
        if (language == QueryLanguage.JSONATA && Expressions.isExpression(v)) {
            Expressions.check(v, at + "/" + field, problems);
            return false;
        }
        return values.integer(state, field, at, min, Values.MAX_SECONDS);
    }

    private void waitFor(JsonNode state, String at, QueryLanguage language) {
        long count = Set.of("Seconds", "SecondsPath", "Timestamp", "TimestampPath").stream()
                .filter(state::has)
                .count();
        if (count != 1) {
            problems.schema(
                    "Exactly one of the fields 'Seconds', 'SecondsPath', 'Timestamp' or 'TimestampPath' is required",
                    at);
        }
        seconds(state, "Seconds", at, language, 0);
        values.referencePath(state, "SecondsPath", at, false);
        values.referencePath(state, "TimestampPath", at, false);
        JsonNode ts = state.get("Timestamp");
        if (ts != null && !(language == QueryLanguage.JSONATA && Expressions.isExpression(ts))) {
            if (!ts.isTextual() || !Timestamps.isValid(ts.asText())) {
                problems.schema("The value for the field 'Timestamp' must be a valid TIMESTAMP", at + "/Timestamp");
            }
        } else if (ts != null) {
            Expressions.check(ts, at + "/Timestamp", problems);
        }
    }

    private void fail(JsonNode state, String at, QueryLanguage language) {
        for (String field : new String[] {"Error", "Cause"}) {
            values.exclusive(state, field, field + "Path", at);
            JsonNode v = state.get(field);
            if (v != null) {
                if (!v.isTextual()) {
                    problems.schema("The value for the field '" + field + "' must be a STRING", at + "/" + field);
                } else if (language == QueryLanguage.JSONATA) {
                    Expressions.check(v, at + "/" + field, problems);
                } else if (TemplateChecks.looksDynamic(v.asText())) {
                    problems.warning(
                            "NO_PATH",
                            "The value of the field '" + field + "' looks like a path, but the field name does not end"
                                    + " with 'Path'",
                            at + "/" + field);
                }
            }
            JsonNode path = state.get(field + "Path");
            if (path != null) {
                boolean ok = path.isTextual()
                        && (path.asText().startsWith("States.")
                                ? Intrinsics.isValid(path.asText())
                                : JsonPaths.isReferencePath(path.asText()));
                if (!ok) {
                    problems.schema(
                            "The value for the field '" + field
                                    + "Path' must be a valid ReferencePath or intrinsic function call",
                            at + "/" + field + "Path");
                }
            }
        }
    }

    private void parallel(JsonNode state, String at, int depth) {
        values.required(state, at, "Branches");
        JsonNode branches = state.get("Branches");
        if (branches == null) {
            return;
        }
        if (!branches.isArray() || branches.isEmpty()) {
            problems.schema("The value for the field 'Branches' must be a non-empty ARRAY", at + "/Branches");
            return;
        }
        for (int i = 0; i < branches.size(); i++) {
            graphs.graph(branches.get(i), at + "/Branches[" + i + "]", Fields.BRANCH, depth + 1);
        }
    }

    static boolean isLabel(String label) {
        return !label.isEmpty()
                && label.length() <= MAX_LABEL
                && label.chars()
                        .noneMatch(c -> Character.isWhitespace(c)
                                || "<>{}[]?*\"#%\\^|~`$&,;:/".indexOf(c) >= 0
                                || Character.isISOControl(c));
    }
}
