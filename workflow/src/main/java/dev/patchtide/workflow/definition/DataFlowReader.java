package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;

/** A state's input/output fields with the null-vs-absent convention of {@link DataFlow}. */
final class DataFlowReader {
    private DataFlowReader() {}

    static DataFlow read(JsonNode node, String type, QueryLanguage language) {
        JsonNode assign = node.get("Assign");
        if (language == QueryLanguage.JSONATA) {
            return new DataFlow("$", null, null, "$", "$", node.get("Arguments"), node.get("Output"), assign);
        }
        // a Map's Parameters is its older spelling of ItemSelector, not a parameters template of the state
        JsonNode parameters = type.equals("Map") ? null : node.get("Parameters");
        return new DataFlow(
                path(node, "InputPath"),
                parameters,
                node.get("ResultSelector"),
                path(node, "ResultPath"),
                path(node, "OutputPath"),
                null,
                null,
                assign);
    }

    /** Absent: {@code "$"}; written as JSON null: Java null. */
    static String path(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null) {
            return "$";
        }
        return v.isNull() ? null : v.asText();
    }
}
