package dev.patchtide.server.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * {@code {{ name }}} references to parameters in a document's steps: finding them (to refuse undeclared ones)
 * and substituting the typed values, as AWS does. A string that is exactly one reference becomes the value
 * itself (a list stays a list, a Boolean a boolean); a list parameter that is a whole element of an array is
 * spliced into that array; a reference inside longer text becomes text. Substituted values are not scanned
 * again, so a value can never smuggle in a reference of its own.
 */
final class References {
    static final Pattern REFERENCE = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_:./\\-]+)\\s*\\}\\}");

    private References() {}

    /** Tells {@code found} every reference in {@code node}: its place (as {@code at[2].runCommand}) and its name. */
    static void collect(JsonNode node, String at, BiConsumer<String, String> found) {
        if (node.isTextual()) {
            Matcher m = REFERENCE.matcher(node.textValue());
            while (m.find()) {
                found.accept(at, m.group(1));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), at + "[" + i + "]", found);
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                collect(e.getValue(), at + "." + e.getKey(), found);
            }
        }
    }

    static boolean hasReference(JsonNode node) {
        boolean[] any = {false};
        collect(node, "", (at, name) -> any[0] = true);
        return any[0];
    }

    /** A copy of {@code node} with every reference replaced by its value from {@code values}. */
    static JsonNode substitute(JsonNode node, Map<String, JsonNode> values) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (node.isTextual()) {
            return text(node.textValue(), values);
        }
        if (node.isArray()) {
            ArrayNode out = nodes.arrayNode();
            for (JsonNode element : node) {
                JsonNode replaced = element.isTextual() ? text(element.textValue(), values) : null;
                if (replaced != null && replaced.isArray() && whole(element.textValue()) != null) {
                    out.addAll((ArrayNode) replaced);
                } else {
                    out.add(replaced != null ? replaced : substitute(element, values));
                }
            }
            return out;
        }
        if (node.isObject()) {
            ObjectNode out = nodes.objectNode();
            node.properties().forEach(e -> out.set(e.getKey(), substitute(e.getValue(), values)));
            return out;
        }
        return node;
    }

    /** The name when {@code text} is exactly one reference (surrounding blanks allowed), else null. */
    static String whole(String text) {
        Matcher m = REFERENCE.matcher(text.strip());
        return m.matches() ? m.group(1) : null;
    }

    private static JsonNode text(String text, Map<String, JsonNode> values) {
        String name = whole(text);
        if (name != null && values.containsKey(name)) {
            return values.get(name).deepCopy();
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            JsonNode value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : asText(value)));
        }
        m.appendTail(out);
        return TextNode.valueOf(out.toString());
    }

    /** A value inside longer text: strings as they are, lists of strings joined by commas, the rest as JSON. */
    private static String asText(JsonNode value) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isArray() && StreamSupport.stream(value.spliterator(), false).allMatch(JsonNode::isTextual)) {
            return StreamSupport.stream(value.spliterator(), false)
                    .map(JsonNode::textValue)
                    .collect(Collectors.joining(","));
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }
}
