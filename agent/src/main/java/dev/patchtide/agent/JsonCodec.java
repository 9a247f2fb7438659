package dev.patchtide.agent;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's messages in and out with jackson-core's streaming parser and generator, byte for byte what {@link
 * AgentJson#mapper()} makes of the same values (its tests compare them): maps in their order without null
 * members, lists, strings, numbers, booleans, {@link Instant}s as epoch seconds with nine decimals, and trees.
 * Anything else (a record, a bean) goes to the mapper, so nothing is written differently, only built lighter.
 */
public final class JsonCodec {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonCodec() {}

    /** {@code value} as JSON bytes, as the mapper writes it. */
    public static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            try (JsonGenerator g = FACTORY.createGenerator(out)) {
                if (!writeValue(g, value)) {
                    return AgentJson.mapper().writeValueAsBytes(value);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // into memory: only a value the mapper refused
        }
        return out.toByteArray();
    }

    /** The tree of a JSON document, as the mapper's {@code readTree} builds it (numbers as their narrowest). */
    public static JsonNode readTree(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return NODES.missingNode();
            }
            return node(p, first);
        }
    }

    /** A parser over {@code json}, for a reader that takes some members exactly (an instant) and others as trees. */
    public static JsonParser parser(byte[] json) throws IOException {
        return FACTORY.createParser(json);
    }

    /** The tree of the value {@code token} starts, read on from {@code p}, as {@link #readTree} builds it. */
    public static JsonNode readNode(JsonParser p, JsonToken token) throws IOException {
        return node(p, token);
    }

    /** A JSON object as a map of plain values (maps, lists, strings, numbers, booleans, nulls), in its order. */
    public static LinkedHashMap<String, Object> readMap(byte[] json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object");
            }
            return map(p);
        }
    }

    /** False (having written nothing of it, at the top) when {@code value} holds something only the mapper knows. */
    private static boolean writeValue(JsonGenerator g, Object value) throws IOException {
        if (!writable(value)) {
            return false;
        }
        write(g, value);
        return true;
    }

    private static boolean writable(Object value) {
        if (value == null
                || value instanceof String
                || value instanceof Boolean
                || value instanceof Integer
                || value instanceof Long
                || value instanceof Short
                || value instanceof Byte
                || value instanceof Double
                || value instanceof Float
                || value instanceof BigDecimal
                || value instanceof BigInteger
                || value instanceof Instant
                || value instanceof JsonNode) {
            return true;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String) || !writable(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Collection<?> list) {
            for (Object item : list) {
                if (!writable(item)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case Short s -> g.writeNumber(s);
            case Byte b -> g.writeNumber(b);
            case Double d -> g.writeNumber(d);
            case Float f -> g.writeNumber(f);
            case BigDecimal d -> g.writeNumber(d);
            case BigInteger i -> g.writeNumber(i);
            case Instant t -> g.writeNumber(epochSeconds(t));
            case JsonNode n -> writeNode(g, n);
            case Map<?, ?> map -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (e.getValue() != null) { // the mapper leaves null members out (NON_NULL)
                        g.writeFieldName((String) e.getKey());
                        write(g, e.getValue());
                    }
                }
                g.writeEndObject();
            }
            case Collection<?> list -> {
                g.writeStartArray();
                for (Object item : list) {
                    write(g, item);
                }
                g.writeEndArray();
            }
            default ->
                throw new IllegalArgumentException(
                        "not writable: " + value.getClass().getName());
        }
    }

    /**
     * As jackson-datatype-jsr310 writes an Instant by default: its epoch second, a point and the nanoseconds in
     * nine digits, side by side (so 0.5 s before the epoch is -1.500000000, as Jackson has it), 0.0 for the epoch.
     */
    static BigDecimal epochSeconds(Instant t) {
        if (t.getNano() == 0) {
            return t.getEpochSecond() == 0
                    ? BigDecimal.ZERO.setScale(1)
                    : BigDecimal.valueOf(t.getEpochSecond()).setScale(9);
        }
        String nanos = Integer.toString(t.getNano());
        return new BigDecimal(t.getEpochSecond() + "." + "0".repeat(9 - nanos.length()) + nanos);
    }

    private static void writeNode(JsonGenerator g, JsonNode node) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    g.writeFieldName(e.getKey());
                    writeNode(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode item : node) {
                    writeNode(g, item);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(node.textValue());
            case BOOLEAN -> g.writeBoolean(node.booleanValue());
            case NULL -> g.writeNull();
            case NUMBER -> {
                switch (node.numberType()) {
                    case INT -> g.writeNumber(node.intValue());
                    case LONG -> g.writeNumber(node.longValue());
                    case BIG_INTEGER -> g.writeNumber(node.bigIntegerValue());
                    case FLOAT -> g.writeNumber(node.floatValue());
                    case DOUBLE -> g.writeNumber(node.doubleValue());
                    case BIG_DECIMAL -> g.writeNumber(node.decimalValue());
                }
            }
            default -> g.writeTree(node); // binary or POJO nodes: never in the agent's messages
        }
    }

    private static JsonNode node(JsonParser p, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                ObjectNode object = NODES.objectNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String name = p.currentName();
                    object.set(name, node(p, p.nextToken()));
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = NODES.arrayNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    array.add(node(p, t));
                }
                yield array;
            }
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT ->
                switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new IOException("unexpected JSON token " + token);
        };
    }

    private static LinkedHashMap<String, Object> map(JsonParser p) throws IOException {
        LinkedHashMap<String, Object> map = new LinkedHashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            map.put(name, plain(p, p.nextToken()));
        }
        return map;
    }

    private static Object plain(JsonParser p, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> map(p);
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    list.add(plain(p, t));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberValue(); // Integer, Long or BigInteger, the narrowest
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected JSON token " + token);
        };
    }
}
