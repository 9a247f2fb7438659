package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON values seen as the plain Java objects AWS's intrinsic functions work on (Integer, Long, Double, String,
 * Boolean, null, LinkedHashMap, ArrayList). {@code States.ArrayContains} compares their {@code String.valueOf}
 * forms and {@code States.ArrayUnique} returns them in {@code HashSet} order; recorded AWS results show both
 * (e.g. {@code true} found in {@code ["true"]}, {@code [true,false,true]} made unique as {@code [false,true]}).
 */
final class JavaValues {
    private JavaValues() {}

    static Object of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            if (node.canConvertToInt()) {
                return node.intValue();
            }
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>(node.size());
            node.forEach(element -> list.add(of(element)));
            return list;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            map.put(field.getKey(), of(field.getValue()));
        }
        return map;
    }

    /** {@code String.valueOf} of the Java form: strings bare, maps as {@code {a=1, b=2}}, lists as {@code [1, 2]}. */
    static String text(JsonNode node) {
        return String.valueOf(of(node));
    }

    /** The distinct values of {@code array} (by Java equality) in the order a {@code HashSet} built from it yields. */
    static List<JsonNode> unique(JsonNode array) {
        Map<Object, JsonNode> firsts = new LinkedHashMap<>();
        for (JsonNode element : array) {
            firsts.putIfAbsent(of(element), element);
        }
        // new HashSet<>(list) sizes its table from the list's length; iteration walks buckets in index order,
        // each bucket in insertion order.
        int capacity = tableSize(Math.max((int) (array.size() / .75f) + 1, 16));
        List<Map.Entry<Object, JsonNode>> entries = new ArrayList<>(firsts.entrySet());
        entries.sort((a, b) -> Integer.compare(bucket(a.getKey(), capacity), bucket(b.getKey(), capacity)));
        List<JsonNode> out = new ArrayList<>(entries.size());
        entries.forEach(e -> out.add(e.getValue()));
        return out;
    }

    private static int bucket(Object key, int capacity) {
        int h = key == null ? 0 : key.hashCode();
        return (h ^ (h >>> 16)) & (capacity - 1);
    }

    private static int tableSize(int wanted) {
        int n = -1 >>> Integer.numberOfLeadingZeros(wanted - 1);
        return n < 0 ? 1 : n + 1;
    }

    /** Whether any element's {@code String.valueOf} form equals the value's. */
    static boolean containsByText(JsonNode array, JsonNode value) {
        String wanted = text(value);
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            if (text(it.next()).equals(wanted)) {
                return true;
            }
        }
        return false;
    }
}
