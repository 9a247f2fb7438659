package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** The Map state's own fields: its item processor (validated as a graph), items, selector and limits. */
final class MapChecks {
    private MapChecks() {}

    static void check(JsonNode state, String at, QueryLanguage language, int depth, Values values, Validator graphs) {
        Problems problems = values.problems();
        boolean processor = state.has("ItemProcessor");
        boolean iterator = state.has("Iterator");
        if (processor && iterator) {
            problems.schema("Only one of the fields 'ItemProcessor' or 'Iterator' may be set", at);
        } else if (!processor && !iterator) {
            problems.schema("These fields are required: [ItemProcessor]", at);
        }
        String field = processor ? "ItemProcessor" : "Iterator";
        JsonNode graph = state.get(field);
        if (graph != null && graphs.graph(graph, at + "/" + field, Fields.PROCESSOR, depth + 1)) {
            processorConfig(graph, at + "/" + field, values);
        }
        values.exclusive(state, "ItemSelector", "Parameters", at);
        for (String template : new String[] {"ItemSelector", "Parameters"}) {
            JsonNode t = state.get(template);
            if (t == null) {
                continue;
            }
            if (!t.isObject() && !(language == QueryLanguage.JSONATA && Expressions.isExpression(t))) {
                problems.schema("The value for the field '" + template + "' must be an OBJECT", at + "/" + template);
            }
            if (language == QueryLanguage.JSONATA) {
                Expressions.check(t, at + "/" + template, problems);
            } else {
                TemplateChecks.payload(t, at + "/" + template, problems);
            }
        }
        if (language == QueryLanguage.JSONPATH) {
            values.referencePath(state, "ItemsPath", at, false);
        } else {
            JsonNode items = state.get("Items");
            if (items != null && !items.isArray() && !items.isObject() && !Expressions.isExpression(items)) {
                problems.schema(
                        "The value for the field 'Items' must be an ARRAY, an OBJECT or a JSONata expression",
                        at + "/Items");
            }
            Expressions.check(items, at + "/Items", problems);
        }
        limit(state, "MaxConcurrency", at, language, values, 0, Integer.MAX_VALUE, true);
        limit(state, "ToleratedFailureCount", at, language, values, 0, Integer.MAX_VALUE, true);
        limit(state, "ToleratedFailurePercentage", at, language, values, 0, 100, false);
        if (values.string(state, "Label", at)) {
            String label = state.get("Label").asText();
            if (!StateChecks.isLabel(label)) {
                problems.error(Problems.INVALID_LABEL, "The Label is not valid: " + label, at + "/Label");
            }
            graphs.label(label, at + "/Label");
        }
        for (String object : new String[] {"ItemReader", "ItemBatcher", "ResultWriter"}) {
            JsonNode v = state.get(object);
            if (v != null && !v.isObject()) {
                problems.schema("The value for the field '" + object + "' must be an OBJECT", at + "/" + object);
            }
        }
    }

    private static void limit(
            JsonNode state,
            String field,
            String at,
            QueryLanguage language,
            Values values,
            long min,
            long max,
            boolean integer) {
        values.exclusive(state, field, field + "Path", at);
        values.referencePath(state, field + "Path", at, false);
        JsonNode v = state.get(field);
        if (v == null) {
            return;
        }
        if (language == QueryLanguage.JSONATA && Expressions.isExpression(v)) {
            Expressions.check(v, at + "/" + field, values.problems());
        } else if (integer) {
            values.integer(state, field, at, min, max);
        } else {
            values.number(state, field, at, min, max);
        }
    }

    private static void processorConfig(JsonNode graph, String at, Values values) {
        JsonNode config = graph.get("ProcessorConfig");
        if (config == null) {
            return;
        }
        String here = at + "/ProcessorConfig";
        if (!config.isObject()) {
            values.problems().schema("The value for the field 'ProcessorConfig' must be an OBJECT", here);
            return;
        }
        values.unknownFields(config, Set.of("Mode", "ExecutionType"), here);
        values.oneOf(config, "Mode", here, Set.of("INLINE", "DISTRIBUTED"));
        values.oneOf(config, "ExecutionType", here, Set.of("STANDARD", "EXPRESS"));
        if (config.path("Mode").asText("").equals("DISTRIBUTED") && !config.has("ExecutionType")) {
            values.problems().schema("These fields are required: [ExecutionType]", here);
        }
    }
}
