package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state machines shipped in this jar under {@code blueprints/<name>/}: {@code definition.asl.json} (the ASL),
 * {@code blueprint.json} (a one-line summary, the EventBridge rule that starts it: an {@code EventPattern} or a
 * {@code ScheduleExpression}, and its parameters). Parameters appear in both as {@code ${Name}}; a string that is
 * exactly a number parameter's placeholder becomes that number.
 */
final class Blueprints {
    private static final String ROOT = "blueprints/";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9]*)}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Blueprints() {}

    /** One declared parameter; {@code defaultValue} empty means the caller must give it. */
    record Parameter(String name, String description, Optional<String> defaultValue, boolean number) {}

    record Blueprint(String name, String summary, JsonNode definition, JsonNode rule, List<Parameter> parameters) {
        /** The definition and rule with every placeholder replaced; {@code values} must cover every parameter. */
        Filled fill(Map<String, String> values) {
            Map<String, String> all = new LinkedHashMap<>();
            List<String> missing = new ArrayList<>();
            for (Parameter p : parameters) {
                String value = values.containsKey(p.name())
                        ? values.get(p.name())
                        : p.defaultValue().orElse(null);
                if (value == null) {
                    missing.add(p.name());
                } else {
                    all.put(p.name(), value);
                }
            }
            List<String> unknown = values.keySet().stream()
                    .filter(k -> parameters.stream().noneMatch(p -> p.name().equals(k)))
                    .toList();
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("Blueprint " + name + " has no parameter "
                        + String.join(", ", unknown) + "; its parameters: "
                        + String.join(
                                ", ", parameters.stream().map(Parameter::name).toList()));
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(
                        "Blueprint " + name + " needs --param for " + String.join(", ", missing) + ".");
            }
            for (Parameter p : parameters) {
                if (p.number() && !all.get(p.name()).matches("\\d+")) {
                    throw new IllegalArgumentException(
                            "Parameter " + p.name() + " must be a whole number, got '" + all.get(p.name()) + "'.");
                }
            }
            return new Filled(substitute(definition, all), substitute(rule, all));
        }

        private JsonNode substitute(JsonNode node, Map<String, String> values) {
            if (node.isTextual()) {
                String text = node.asText();
                Matcher whole = PLACEHOLDER.matcher(text);
                if (whole.matches()) {
                    Optional<Parameter> p = parameters.stream()
                            .filter(q -> q.name().equals(whole.group(1)))
                            .findFirst();
                    if (p.isPresent() && p.get().number()) {
                        return JsonNodeFactory.instance.numberNode(Long.parseLong(values.get(whole.group(1))));
                    }
                }
                return JsonNodeFactory.instance.textNode(PLACEHOLDER
                        .matcher(text)
                        .replaceAll(m -> Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group()))));
            }
            if (node.isObject()) {
                ObjectNode copy = JsonNodeFactory.instance.objectNode();
                node.properties().forEach(e -> copy.set(e.getKey(), substitute(e.getValue(), values)));
                return copy;
            }
            if (node.isArray()) {
                ArrayNode copy = JsonNodeFactory.instance.arrayNode();
                node.forEach(v -> copy.add(substitute(v, values)));
                return copy;
            }
            return node;
        }
    }

    /** A blueprint with its parameters given: the ASL to create and the rule that starts it. */
    record Filled(JsonNode definition, JsonNode rule) {
        Optional<String> eventPattern() {
            return Optional.ofNullable(rule.get("EventPattern")).map(JsonNode::toString);
        }

        Optional<String> scheduleExpression() {
            return Optional.ofNullable(rule.get("ScheduleExpression")).map(JsonNode::asText);
        }
    }

    static List<String> names() {
        String index = resource("index.txt").orElseThrow(() -> new IllegalStateException("no blueprints/index.txt"));
        return index.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    static Optional<Blueprint> named(String name) {
        if (!names().contains(name)) {
            return Optional.empty();
        }
        try {
            JsonNode meta = JSON.readTree(resource(name + "/blueprint.json").orElseThrow());
            JsonNode definition =
                    JSON.readTree(resource(name + "/definition.asl.json").orElseThrow());
            List<Parameter> parameters = new ArrayList<>();
            for (JsonNode p : meta.path("parameters")) {
                parameters.add(new Parameter(
                        p.path("name").asText(),
                        p.path("description").asText(),
                        Optional.ofNullable(p.get("default")).map(JsonNode::asText),
                        p.path("type").asText().equals("number")));
            }
            return Optional.of(new Blueprint(
                    name, meta.path("summary").asText(), definition, meta.path("rule"), List.copyOf(parameters)));
        } catch (IOException e) {
            throw new UncheckedIOException("blueprint " + name + " is not valid JSON", e);
        }
    }

    /** The definition file as shipped, byte for byte (what users copy and edit). */
    static String definitionText(String name) {
        return resource(name + "/definition.asl.json").orElseThrow();
    }

    private static Optional<String> resource(String path) {
        try (InputStream in = Blueprints.class.getClassLoader().getResourceAsStream(ROOT + path)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
