package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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

    /** The match, or (for an indefinite path) the array of matches; a definite path that finds nothing fails. */
    JsonNode evaluate(JsonNode start) throws Missing {
        if (!definite) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            walk(0, start, out, start);
            return out;
        }
        JsonNode node = start;
        int last = segments.size() - 1;
        for (int i = 0; i <= last; i++) {
            Segment segment = segments.get(i);
            JsonNode next = null;
            if (segment instanceof Segment.Property p) {
                next = node.isObject() ? node.get(p.names().get(0)) : null;
                if (next == null && i < last && node.isObject()) {
                    throw new Missing("Missing property in path " + canonical(i + 1));
                }
            } else if (segment instanceof Segment.Index x && node.isArray()) {
                int index = x.indexes().get(0);
                int effective = index < 0 ? node.size() + index : index;
                next = effective >= 0 && effective < node.size() ? node.get(effective) : null;
            }
            if (next == null) {
                throw new Missing("No results for path: " + canonical());
            }
            node = next;
        }
        return node;
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
