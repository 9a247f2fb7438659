package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.data.JsonPaths;
import java.util.Set;

/** Small typed checks shared by the rule classes; each reports at the field's own location. */
final class Values {
    static final long MAX_SECONDS = 99_999_999L;

    private final Problems problems;

    Values(Problems problems) {
        this.problems = problems;
    }

    Problems problems() {
        return problems;
    }

    void unknownFields(JsonNode node, Set<String> allowed, String location) {
        node.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                problems.schema("Field '" + f + "' is not supported", location);
            }
        });
    }

    void required(JsonNode node, String location, String... fields) {
        var missing = new java.util.ArrayList<String>();
        for (String f : fields) {
            if (!node.has(f)) {
                missing.add(f);
            }
        }
        if (!missing.isEmpty()) {
            problems.schema("These fields are required: " + missing, location);
        }
    }

    boolean string(JsonNode node, String field, String location) {
        JsonNode v = node.get(field);
        if (v == null) {
            return false;
        }
        if (!v.isTextual()) {
            problems.schema("The value for the field '" + field + "' must be a STRING", location + "/" + field);
            return false;
        }
        return true;
    }

    /** An integer in [min, max]; true when present and valid. */
    boolean integer(JsonNode node, String field, String location, long min, long max) {
        JsonNode v = node.get(field);
        if (v == null) {
            return false;
        }
        String at = location + "/" + field;
        if (!v.isIntegralNumber()) {
            problems.schema("The value for the field '" + field + "' must be an INTEGER", at);
            return false;
        }
        return range(field, v.asDouble(), min, max, at);
    }

    boolean number(JsonNode node, String field, String location, double min, double max) {
        JsonNode v = node.get(field);
        if (v == null) {
            return false;
        }
        String at = location + "/" + field;
        if (!v.isNumber()) {
            problems.schema("The value for the field '" + field + "' must be a NUMBER", at);
            return false;
        }
        return range(field, v.asDouble(), min, max, at);
    }

    private boolean range(String field, double value, double min, double max, String at) {
        if (value < min) {
            problems.schema(
                    "The value for the field '" + field + "' must be greater than or equal to " + plain(min), at);
            return false;
        }
        if (value > max) {
            problems.schema("The value for the field '" + field + "' must be less than or equal to " + plain(max), at);
            return false;
        }
        return true;
    }

    void oneOf(JsonNode node, String field, String location, Set<String> values) {
        if (string(node, field, location) && !values.contains(node.get(field).asText())) {
            problems.schema(
                    "The value for the field '" + field + "' must be one of " + new java.util.TreeSet<>(values),
                    location + "/" + field);
        }
    }

    /** InputPath / OutputPath and the like: JSON null or a JSONPath. */
    void path(JsonNode node, String field, String location, boolean nullable) {
        JsonNode v = node.get(field);
        if (v == null || (nullable && v.isNull())) {
            return;
        }
        if (!v.isTextual() || !JsonPaths.isValid(v.asText())) {
            problems.schema("The value for the field '" + field + "' must be a valid JSONPath", location + "/" + field);
        }
    }

    /** ResultPath and the {@code …Path} fields that name one node: a reference path. */
    void referencePath(JsonNode node, String field, String location, boolean nullable) {
        JsonNode v = node.get(field);
        if (v == null || (nullable && v.isNull())) {
            return;
        }
        if (!v.isTextual() || !JsonPaths.isReferencePath(v.asText())) {
            problems.schema(
                    "The value for the field '" + field + "' must be a valid ReferencePath", location + "/" + field);
        }
    }

    /** ResultPath: a reference path into the state's own input (not the context object, not a variable). */
    void resultPath(JsonNode node, String location) {
        JsonNode v = node.get("ResultPath");
        if (v == null || v.isNull()) {
            return;
        }
        String text = v.isTextual() ? v.asText() : "";
        boolean input = text.equals("$") || text.startsWith("$.") || text.startsWith("$[");
        if (!input || !JsonPaths.isReferencePath(text)) {
            problems.schema(
                    "The value for the field 'ResultPath' must be a valid ReferencePath", location + "/ResultPath");
        }
    }

    /** Not both of a field and its {@code …Path} twin. */
    boolean exclusive(JsonNode node, String a, String b, String location) {
        if (node.has(a) && node.has(b)) {
            problems.schema("Only one of the fields '" + a + "' or '" + b + "' may be set", location);
            return false;
        }
        return true;
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
