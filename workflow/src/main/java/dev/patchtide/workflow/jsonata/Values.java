package dev.patchtide.workflow.jsonata;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON values ⇄ the Java values the JSONata library works on (maps, lists, strings, numbers, booleans, and its
 * null marker for JSON null; a Java null is JSONata's "undefined").
 */
final class Values {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * Whole doubles below this are written as integers (JSON has one number type; 3.0 is 3), as AWS writes them;
     * from here on AWS writes exponent notation.
     */
    private static final double EXACT_INTEGRAL = 9.223372036854776E18;

    private Values() {}

    /** A JSON value as JSONata sees it; JSON null becomes the library's null marker, so it is not undefined. */
    static Object toJava(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return null;
        }
        return switch (node.getNodeType()) {
            case NULL -> Jsonata.NULL_VALUE;
            case BOOLEAN -> node.booleanValue();
            case STRING -> node.textValue();
            case NUMBER -> number(node);
            case ARRAY -> {
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode element : node) {
                    list.add(toJava(element));
                }
                yield list;
            }
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    map.put(field.getKey(), toJava(field.getValue()));
                }
                yield map;
            }
            default -> node.asText();
        };
    }

    private static Object number(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.doubleValue();
        }
        double value = node.doubleValue();
        // 1.0 and 1e2 are whole numbers: JSONata (JavaScript numbers) does not tell them from 1 and 100.
        if (value == Math.rint(value) && Math.abs(value) < EXACT_INTEGRAL) {
            return (long) value;
        }
        return value;
    }

    /**
     * A JSONata result as JSON. Inside arrays and objects a Java null is JSON null (the library turns its null
     * marker into Java null on the way out, and JSONata never puts undefined into either); the caller decides
     * what a top-level Java null means.
     */
    static JsonNode toJson(Object value) {
        if (value == null || value == Jsonata.NULL_VALUE) {
            return NODES.nullNode();
        }
        if (value instanceof String text) {
            return NODES.textNode(text);
        }
        if (value instanceof Boolean bool) {
            return NODES.booleanNode(bool);
        }
        if (value instanceof Number number) {
            return number(number);
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((key, member) -> object.set(String.valueOf(key), toJson(member)));
            return object;
        }
        if (value instanceof List<?> list) {
            ArrayNode array = NODES.arrayNode(list.size());
            for (Object element : list) {
                array.add(toJson(element));
            }
            return array;
        }
        throw new UnsupportedResult();
    }

    private static JsonNode number(Number number) {
        if (number instanceof Integer || number instanceof Long || number instanceof Short || number instanceof Byte) {
            return integer(number.longValue());
        }
        if (number instanceof BigInteger big) {
            return NODES.numberNode(big);
        }
        if (number instanceof BigDecimal decimal) {
            return number(decimal.doubleValue());
        }
        return number(number.doubleValue());
    }

    private static JsonNode number(double value) {
        if (Double.isNaN(value)) {
            return NODES.textNode("NaN");
        }
        if (Double.isInfinite(value)) {
            // JSON has no literal for them; AWS writes JavaScript's names.
            return NODES.textNode(value > 0 ? "Infinity" : "-Infinity");
        }
        if (value == Math.rint(value) && Math.abs(value) < EXACT_INTEGRAL) {
            return integer((long) value);
        }
        return NODES.numberNode(value);
    }

    /** As Jackson reads JSON (an int when it fits), so results compare equal to parsed documents. */
    private static JsonNode integer(long value) {
        return value == (int) value ? NODES.numberNode((int) value) : NODES.numberNode(value);
    }

    /** A result JSON cannot hold (a function). */
    static final class UnsupportedResult extends RuntimeException {
        UnsupportedResult() {
            super(null, null, false, false);
        }
    }
}
