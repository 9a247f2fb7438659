package dev.patchtide.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads an AWS query protocol form ({@code Action=Subscribe&TopicArn=…&Attributes.entry.1.key=…}) into
 * the JSON tree the JSON wire sends for the same request, guided by the operation's input shape. A
 * parameter the shape does not know is refused, as the JSON wire refuses an unknown member.
 */
final class QueryDecoder {
    /** The parameters every query request carries besides the operation's own. */
    static final Set<String> PROTOCOL_PARAMETERS = Set.of("Action", "Version");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Map<String, String> form;
    private final Set<String> used = new HashSet<>();

    private QueryDecoder(Map<String, String> form) {
        this.form = form;
    }

    /** The form's parameters in order; a malformed escape or a repeated name is refused. */
    static Map<String, String> parseForm(byte[] body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (form.putIfAbsent(name, value) != null) {
                throw new ApiException.Invalid(
                        "MalformedQueryString", "Parameter " + Validation.clip(name) + " given twice");
            }
        }
        return form;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException.Invalid(
                    "MalformedQueryString", "Malformed percent-encoding in the request body: " + Validation.clip(text));
        }
    }

    /** The request tree of {@code operation}, shaped as the JSON wire's body. */
    static ObjectNode decode(QueryService.Operation operation, Map<String, String> form) {
        QueryDecoder decoder = new QueryDecoder(form);
        ObjectNode tree = decoder.structure(operation.input(), "");
        for (String name : form.keySet()) {
            if (!decoder.used.contains(name) && !PROTOCOL_PARAMETERS.contains(name)) {
                throw new ApiException.Invalid(
                        "SerializationException",
                        "Unknown parameter '" + Validation.clip(name) + "' in " + operation.name() + " request");
            }
        }
        return tree;
    }

    /** The value at {@code key}, or null when the form has nothing for it. */
    private JsonNode value(QueryShape shape, String key) {
        return switch (shape) {
            case QueryShape.Scalar scalar -> scalar(scalar, key);
            case QueryShape.Structure structure -> {
                ObjectNode node = structure(structure, key + ".");
                yield node.isEmpty() ? null : node;
            }
            case QueryShape.ListOf list -> list(list, key);
            case QueryShape.MapOf map -> map(map, key);
        };
    }

    private ObjectNode structure(QueryShape.Structure shape, String prefix) {
        ObjectNode node = NODES.objectNode();
        for (QueryShape.Member member : shape.members()) {
            JsonNode value = value(member.shape(), prefix + member.name());
            if (value != null) {
                node.set(member.name(), value);
            }
        }
        return node;
    }

    private JsonNode scalar(QueryShape.Scalar scalar, String key) {
        String text = form.get(key);
        if (text == null) {
            return null;
        }
        used.add(key);
        return switch (scalar) {
            case STRING -> TextNode.valueOf(text);
            case BOOLEAN -> {
                if (!text.equals("true") && !text.equals("false")) {
                    throw new ApiException.Invalid(
                            "SerializationException",
                            "Value '" + Validation.clip(text) + "' at '" + key + "' must be true or false");
                }
                yield BooleanNode.valueOf(text.equals("true"));
            }
        };
    }

    /** {@code key.member.1}, {@code key.member.2}, …; botocore sends an empty list as {@code key=}. */
    private JsonNode list(QueryShape.ListOf shape, String key) {
        TreeSet<Integer> indexes = indexes(key + ".member.");
        if (indexes.isEmpty()) {
            if ("".equals(form.get(key))) {
                used.add(key);
                return NODES.arrayNode();
            }
            return null;
        }
        ArrayNode items = NODES.arrayNode();
        for (int i : indexes) {
            items.add(value(shape.member(), key + ".member." + i));
        }
        return items;
    }

    /** {@code key.entry.N.<keyName>} and {@code key.entry.N.<valueName>}. */
    private JsonNode map(QueryShape.MapOf shape, String key) {
        TreeSet<Integer> indexes = indexes(key + ".entry.");
        if (indexes.isEmpty()) {
            return null;
        }
        ObjectNode entries = NODES.objectNode();
        for (int i : indexes) {
            String entry = key + ".entry." + i + ".";
            JsonNode name = scalar(QueryShape.Scalar.STRING, entry + shape.keyName());
            if (name == null) {
                throw missing(entry + shape.keyName());
            }
            JsonNode value = value(shape.value(), entry + shape.valueName());
            if (value == null) {
                throw missing(entry + shape.valueName());
            }
            if (entries.has(name.asText())) {
                throw new ApiException.Invalid(
                        "SerializationException", "Key '" + Validation.clip(name.asText()) + "' given twice in " + key);
            }
            entries.set(name.asText(), value);
        }
        return entries;
    }

    /** The positions (1, 2, …) the form holds under {@code prefix}; other names stay unused, so are refused. */
    private TreeSet<Integer> indexes(String prefix) {
        TreeSet<Integer> indexes = new TreeSet<>();
        for (String name : form.keySet()) {
            if (!name.startsWith(prefix)) {
                continue;
            }
            String rest = name.substring(prefix.length());
            int dot = rest.indexOf('.');
            String index = dot < 0 ? rest : rest.substring(0, dot);
            if (index.matches("[1-9][0-9]{0,5}")) {
                indexes.add(Integer.parseInt(index));
            }
        }
        return indexes;
    }

    private static ApiException missing(String key) {
        return new ApiException.Invalid("SerializationException", "Missing parameter " + key);
    }
}
