package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A parsed JSONPath, evaluated the way Step Functions does (Jayway's semantics): a definite path (names and
 * single indexes only) yields one node or fails; any other path yields an array of its matches, maybe empty.
 */
record CompiledPath(Root root, String variable, List<Segment> segments, String text, boolean definite) {
    enum Root {
        INPUT,
        CONTEXT,
        VARIABLE,
        CURRENT
    }

    private static final int CACHE_LIMIT = 20_000;
    private static final ConcurrentHashMap<String, CompiledPath> CACHE = new ConcurrentHashMap<>();

    /** The compiled form of {@code text}, cached: the same few paths are read on every transition. */
    static CompiledPath of(String text) {
        CompiledPath cached = CACHE.get(text);
        if (cached != null) {
            return cached;
        }
        CompiledPath path = PathParser.parse(text);
        if (CACHE.size() >= CACHE_LIMIT) {
            CACHE.clear();
        }
        CACHE.put(text, path);
        return path;
    }

    /** Jayway's rendering, as AWS quotes it in causes: {@code $['a'][0]}. */
    String canonical() {
        return canonical(segments.size());
    }

    private String canonical(int count) {
        StringBuilder out = new StringBuilder("$");
        for (int i = 0; i < count; i++) {
            out.append(segments.get(i).text());
        }
        return out.toString();
    }

    /**
     * The match, or (for an indefinite path) the array of matches; a definite path that finds nothing fails. An
     * index past the end of an array, as the last step, reads as null: AWS reads paths with Jayway over Jackson
     * nodes, whose arrays answer null there (so {@code "v.$": "$.items[5]"} succeeds with null on AWS).
     */
    JsonNode evaluate(JsonNode start) throws Missing {
        return evaluate(start, false);
    }

    /** As {@link #evaluate(JsonNode)}, but an index past the end finds nothing (intrinsic function arguments). */
    JsonNode evaluateStrict(JsonNode start) throws Missing {
        return evaluate(start, true);
    }

    private JsonNode evaluate(JsonNode start, boolean strict) throws Missing {
        if (!definite) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            walk(0, start, out, start);
            return out;
        }
        JsonNode node = start;
        int last = segments.size() - 1;
        for (int i = 0; i <= last; i++) {
            Segment segment = segments.get(i);
            if (segment instanceof Segment.Property p) {
                if (!node.isObject()) {
                    throw new Missing(String.format(
                            "Expected to find an object with property %s in path %s but found '%s'. This is not a"
                                    + " json object according to the JsonProvider: '%s'.",
                            p.text(), canonical(i), javaClass(node, i == 0), PROVIDER));
                }
                JsonNode next = p.names().size() > 1
                        ? merge(p, node)
                        : node.get(p.names().get(0));
                if (next == null) {
                    throw new Missing(
                            i < last
                                    ? "Missing property in path " + canonical(i + 1)
                                    : "No results for path: " + canonical());
                }
                node = next;
            } else {
                Segment.Index x = (Segment.Index) segment;
                if (node.isNull()) {
                    throw new Missing("The path " + canonical(i) + " is null");
                }
                if (!node.isArray()) {
                    throw new Missing("Filter: " + x.text() + " can only be applied to arrays. Current context is: "
                            + (node.isContainerNode() ? node.toString() : JavaValues.text(node)));
                }
                int index = x.indexes().get(0);
                JsonNode next = node.get(index < 0 ? node.size() + index : index);
                if (next == null && strict) {
                    throw new Missing("No results for path: " + canonical());
                }
                node = next == null ? NullNode.getInstance() : next;
            }
        }
        return node;
    }

    /** Jayway's JSON provider as AWS configures it (Jackson nodes), named in some of the causes AWS quotes. */
    private static final String PROVIDER = "com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider";

    /**
     * The Java class Jayway names in "Expected to find an object": the root is the Jackson node itself, values
     * below it are unwrapped to Java scalars (containers stay nodes).
     */
    private static String javaClass(JsonNode node, boolean root) {
        if (root || node.isContainerNode()) {
            return node.getClass().getName();
        }
        Object value = JavaValues.of(node);
        return value == null ? "null" : value.getClass().getName();
    }

    /** For filter operands: the value if the path finds one. */
    Optional<JsonNode> find(JsonNode start) {
        try {
            return Optional.of(evaluate(start));
        } catch (Missing e) {
            return Optional.empty();
        }
    }

    private void walk(int i, JsonNode node, ArrayNode out, JsonNode root) {
        if (i == segments.size()) {
            out.add(node);
            return;
        }
        switch (segments.get(i)) {
            case Segment.Property p
            when p.names().size() > 1 && i == segments.size() - 1 -> {
                if (node.isObject()) {
                    out.add(merge(p, node));
                }
            }
            case Segment.Property p -> {
                if (node.isObject()) {
                    for (String name : p.names()) {
                        JsonNode child = node.get(name);
                        if (child != null) {
                            walk(i + 1, child, out, root);
                        }
                    }
                }
            }
            case Segment.Index x -> {
                if (node.isArray()) {
                    for (int index : x.indexes()) {
                        int effective = index < 0 ? node.size() + index : index;
                        if (effective >= 0 && effective < node.size()) {
                            walk(i + 1, node.get(effective), out, root);
                        } else if (i == segments.size() - 1) {
                            out.add(NullNode.getInstance()); // as a definite path's last index, see evaluate
                        }
                    }
                }
            }
            case Segment.Slice s -> {
                if (node.isArray()) {
                    slice(i, s, (ArrayNode) node, out, root);
                }
            }
            case Segment.Wildcard w -> {
                if (node.isContainerNode()) {
                    for (JsonNode child : node) {
                        walk(i + 1, child, out, root);
                    }
                }
            }
            case Segment.Scan s -> scan(i, node, out, root);
            case Segment.Filter f -> {
                if (node.isArray()) {
                    for (JsonNode element : node) {
                        if (f.expr().test(element, root)) {
                            walk(i + 1, element, out, root);
                        }
                    }
                } else if (node.isObject() && f.expr().test(node, root)) {
                    walk(i + 1, node, out, root);
                }
            }
        }
    }

    /** {@code ['a','b']} as the last step: an object of those of the names the node has. */
    private static JsonNode merge(Segment.Property p, JsonNode node) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (String name : p.names()) {
            JsonNode value = node.get(name);
            if (value != null) {
                out.set(name, value);
            }
        }
        return out;
    }

    // The step after '..' applies to this node, then to each node below it, in document order.
    private void scan(int i, JsonNode node, ArrayNode out, JsonNode root) {
        walk(i + 1, node, out, root);
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (child.isContainerNode()) {
                    scan(i, child, out, root);
                }
            }
        }
    }

    private void slice(int i, Segment.Slice s, ArrayNode array, ArrayNode out, JsonNode root) {
        int length = array.size();
        int step = s.step() == null ? 1 : s.step();
        if (step == 0) {
            return;
        }
        if (step > 0) {
            int from = clamp(s.from() == null ? 0 : s.from(), length);
            int to = clamp(s.to() == null ? length : s.to(), length);
            for (int k = from; k < to; k += step) {
                walk(i + 1, array.get(k), out, root);
            }
        } else {
            int from = s.from() == null ? length - 1 : Math.min(clamp(s.from(), length), length - 1);
            int to = s.to() == null ? -1 : clamp(s.to(), length);
            for (int k = from; k > to; k += step) {
                walk(i + 1, array.get(k), out, root);
            }
        }
    }

    private static int clamp(int index, int length) {
        int effective = index < 0 ? length + index : index;
        return Math.max(0, Math.min(length, effective));
    }

    /** A definite path found nothing; the message is Jayway's, which AWS quotes. */
    static final class Missing extends Exception {
        Missing(String message) {
            super(message, null, false, false);
        }
    }
}
