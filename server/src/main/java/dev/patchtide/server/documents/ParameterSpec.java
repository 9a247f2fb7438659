package dev.patchtide.server.documents;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One declared parameter of a document ({@code parameters.<name>}): its type and constraints. Reads the
 * declaration (reporting each problem at its place), and turns the values a command gives (SendCommand's
 * lists of strings) into a typed JSON value, refusing bad ones with {@code InvalidParameters} naming the
 * parameter.
 */
record ParameterSpec(
        String name,
        Type type,
        String description,
        Optional<JsonNode> defaultValue,
        List<String> allowedValues,
        Optional<Pattern> allowedPattern,
        Optional<Integer> minItems,
        Optional<Integer> maxItems,
        Optional<Integer> minChars,
        Optional<Integer> maxChars) {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,128}");

    private static final Set<String> MEMBERS = Set.of(
            "type",
            "description",
            "default",
            "allowedValues",
            "allowedPattern",
            "displayType",
            "minItems",
            "maxItems",
            "minChars",
            "maxChars");

    enum Type {
        String,
        StringList,
        Boolean,
        Integer,
        StringMap,
        MapList;

        boolean isList() {
            return this == StringList || this == MapList;
        }
    }

    /** Reads {@code parameters.<name>}; each problem goes to {@code problems} and the result is then empty. */
    static Optional<ParameterSpec> read(String name, JsonNode definition, List<String> problems) {
        String at = "parameters." + Validation.clip(name);
        int before = problems.size();
        if (!NAME.matcher(name).matches()) {
            problems.add(at + ": a parameter name is 1 to 128 letters, digits or underscores");
        }
        if (!definition.isObject()) {
            problems.add(at + ": must be an object with a type");
            return Optional.empty();
        }
        definition.fieldNames().forEachRemaining(member -> {
            if (!MEMBERS.contains(member)) {
                problems.add(at + "." + Validation.clip(member) + ": is not a parameter member (allowed: "
                        + String.join(", ", MEMBERS.stream().sorted().toList()) + ")");
            }
        });
        Type type = null;
        JsonNode typeNode = definition.path("type");
        try {
            type = Type.valueOf(typeNode.asText(""));
        } catch (IllegalArgumentException e) {
            problems.add(at + ".type: "
                    + (typeNode.isMissingNode()
                            ? "is required"
                            : "'" + Validation.clip(typeNode.asText()) + "' is not a type")
                    + " (String, StringList, Boolean, Integer, StringMap or MapList)");
        }
        List<String> allowed = new ArrayList<>();
        JsonNode allowedNode = definition.path("allowedValues");
        if (!allowedNode.isMissingNode()) {
            if (!allowedNode.isArray() || allowedNode.isEmpty()) {
                problems.add(at + ".allowedValues: must be a non-empty list of strings");
            } else {
                for (int i = 0; i < allowedNode.size(); i++) {
                    JsonNode v = allowedNode.get(i);
                    if (v.isValueNode() && !v.isNull()) {
                        allowed.add(v.asText());
                    } else {
                        problems.add(at + ".allowedValues[" + i + "]: must be a string");
                    }
                }
            }
        }
        Optional<Pattern> pattern = Optional.empty();
        JsonNode patternNode = definition.path("allowedPattern");
        if (!patternNode.isMissingNode()) {
            try {
                if (!patternNode.isTextual()) {
                    throw new PatternSyntaxException("not a string", "", -1);
                }
                pattern = Optional.of(Pattern.compile(patternNode.textValue()));
            } catch (PatternSyntaxException e) {
                problems.add(at + ".allowedPattern: is not a regular expression");
            }
        }
        Optional<Integer> minItems = count(definition, "minItems", at, problems);
        Optional<Integer> maxItems = count(definition, "maxItems", at, problems);
        Optional<Integer> minChars = count(definition, "minChars", at, problems);
        Optional<Integer> maxChars = count(definition, "maxChars", at, problems);
        if (type != null && !type.isList() && (minItems.isPresent() || maxItems.isPresent())) {
            problems.add(at + ": minItems and maxItems apply to StringList and MapList parameters only");
        }
        JsonNode description = definition.path("description");
        if (!description.isMissingNode() && !description.isTextual()) {
            problems.add(at + ".description: must be a string");
        }
        JsonNode defaultNode = definition.get("default");
        if (problems.size() > before) {
            return Optional.empty();
        }
        ParameterSpec spec = new ParameterSpec(
                name,
                type,
                description.asText(""),
                Optional.ofNullable(defaultNode),
                List.copyOf(allowed),
                pattern,
                minItems,
                maxItems,
                minChars,
                maxChars);
        if (defaultNode != null) {
            Optional<List<String>> values = spec.asValues(defaultNode);
            if (values.isEmpty()) {
                problems.add(at + ".default: must be a " + type + " value");
                return Optional.empty();
            }
            try {
                spec.typed(values.get());
            } catch (ApiException.Invalid e) {
                problems.add(at + ".default: " + e.getMessage());
                return Optional.empty();
            }
        }
        return Optional.of(spec);
    }

    /** The default (if any) in SendCommand's form: a list of strings. */
    Optional<List<String>> defaultValues() {
        return defaultValue.flatMap(this::asValues);
    }

    /** The default as DescribeDocument shows it: the text of a String, JSON for anything else. */
    Optional<String> defaultText() {
        return defaultValue.map(d -> d.isTextual() ? d.textValue() : d.toString());
    }

    /**
     * Checks {@code values} against the type and constraints and returns the typed value substituted into
     * the document: a string, a list of strings, a boolean, a number, an object or a list of objects.
     */
    JsonNode typed(List<String> values) {
        if (!type.isList() && values.size() != 1) {
            throw invalid("takes exactly one value; " + values.size() + " were given");
        }
        if (minItems.isPresent() && values.size() < minItems.get()) {
            throw invalid("needs at least " + minItems.get() + " values; " + values.size() + " were given");
        }
        if (maxItems.isPresent() && values.size() > maxItems.get()) {
            throw invalid("takes at most " + maxItems.get() + " values; " + values.size() + " were given");
        }
        for (String value : values) {
            if (value == null) {
                throw invalid("has a null value");
            }
            if (!allowedValues.isEmpty() && !allowedValues.contains(value)) {
                throw invalid(
                        "value '" + Validation.clip(value) + "' is not one of the allowed values " + allowedValues);
            }
            if (allowedPattern.isPresent()
                    && !allowedPattern.get().matcher(value).matches()) {
                throw invalid("value '" + Validation.clip(value) + "' does not match the allowed pattern "
                        + Validation.clip(allowedPattern.get().pattern()));
            }
            if (minChars.isPresent() && value.length() < minChars.get()) {
                throw invalid("value is shorter than " + minChars.get() + " characters");
            }
            if (maxChars.isPresent() && value.length() > maxChars.get()) {
                throw invalid("value is longer than " + maxChars.get() + " characters");
            }
        }
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        return switch (type) {
            case String -> TextNode.valueOf(values.getFirst());
            case StringList -> {
                ArrayNode list = nodes.arrayNode();
                values.forEach(list::add);
                yield list;
            }
            case Boolean -> {
                String v = values.getFirst().toLowerCase(Locale.ROOT);
                if (!v.equals("true") && !v.equals("false")) {
                    throw invalid("value '" + Validation.clip(values.getFirst()) + "' is not true or false");
                }
                yield BooleanNode.valueOf(v.equals("true"));
            }
            case Integer -> {
                try {
                    yield LongNode.valueOf(Long.parseLong(values.getFirst().trim()));
                } catch (NumberFormatException e) {
                    throw invalid("value '" + Validation.clip(values.getFirst()) + "' is not an integer");
                }
            }
            case StringMap -> object(values.getFirst());
            case MapList -> {
                ArrayNode list = nodes.arrayNode();
                if (values.size() == 1 && values.getFirst().trim().startsWith("[")) {
                    JsonNode array = json(values.getFirst());
                    for (JsonNode element : array) {
                        if (!element.isObject()) {
                            throw invalid("takes a list of JSON objects");
                        }
                        list.add(element);
                    }
                } else {
                    values.forEach(v -> list.add(object(v)));
                }
                yield list;
            }
        };
    }

    /** A JSON value (a default, or a value given to aws:runDocument) as a list of strings, if it fits the type. */
    Optional<List<String>> asValues(JsonNode value) {
        List<String> out = new ArrayList<>();
        boolean fits =
                switch (type) {
                    case String -> value.isTextual() && out.add(value.textValue());
                    case Boolean -> value.isBoolean() && out.add(value.asText());
                    case Integer -> value.isIntegralNumber() && out.add(value.asText());
                    case StringMap -> value.isObject() && out.add(value.toString());
                    case StringList -> {
                        boolean all = value.isArray();
                        for (JsonNode e : value) {
                            all &= e.isTextual() && out.add(e.textValue());
                        }
                        yield all;
                    }
                    case MapList -> {
                        boolean all = value.isArray();
                        for (JsonNode e : value) {
                            all &= e.isObject() && out.add(e.toString());
                        }
                        yield all;
                    }
                };
        return fits ? Optional.of(out) : Optional.empty();
    }

    private JsonNode object(String text) {
        JsonNode node = json(text);
        if (!node.isObject()) {
            throw invalid("takes a JSON object");
        }
        return node;
    }

    private JsonNode json(String text) {
        try {
            return ApiJson.documents().readTree(text);
        } catch (JacksonException e) {
            throw invalid("value is not JSON");
        }
    }

    private ApiException.Invalid invalid(String why) {
        return new ApiException.Invalid("InvalidParameters", "Parameter " + name + " (" + type + ") " + why + ".");
    }

    private static Optional<Integer> count(JsonNode definition, String member, String at, List<String> problems) {
        JsonNode node = definition.get(member);
        if (node == null) {
            return Optional.empty();
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 0) {
            problems.add(at + "." + member + ": must be a whole number, 0 or more");
            return Optional.empty();
        }
        return Optional.of(node.intValue());
    }
}
