package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import java.util.List;
import java.util.Optional;

/**
 * JSONPath as the States Language uses it: paths ({@code $.a.b[0]}, {@code $..x}, filters, slices), reference
 * paths (a single node), {@code $$} for the context object and {@code $name} for a variable. Failures are
 * {@link dev.patchtide.workflow.StatesError}s with the names AWS gives them. Causes are the part AWS writes after
 * its {@code "An error occurred while executing the state 'S' (entered at the event id #N). "} prefix, which only
 * the interpreter can add.
 */
public final class JsonPaths {
    private JsonPaths() {}

    /**
     * The value at {@code path}: {@code input} for {@code $…}, {@code context} for {@code $$…}, a variable of
     * {@code scope} for {@code $name…}. A path that matches nothing throws {@code States.Runtime} with AWS's cause
     * for a path field ({@code InputPath}, {@code OutputPath}, a Wait's {@code SecondsPath}…):
     * {@code Invalid path '$.x' : No results for path: $['x']}, the text after the colon being Jayway's, which AWS
     * runs on Jackson nodes (so an index past the end of an array reads as null). {@code ItemsPath} fails otherwise
     * on AWS: see {@link #readReference}. An indefinite path ({@code [*]}, {@code ..},
     * filters, slices) yields the array of its matches, which may be empty.
     */
    public static JsonNode read(String path, JsonNode input, JsonNode context, Scope scope) {
        CompiledPath compiled = compile(path);
        try {
            return evaluate(compiled, input, context, scope);
        } catch (CompiledPath.Missing e) {
            throw new StatesError(StatesError.RUNTIME, "Invalid path '" + path + "' : " + e.getMessage());
        }
    }

    /**
     * As {@link #read(String, JsonNode, JsonNode, Scope)}, for a payload template field named {@code field}
     * (written with its {@code .$}, e.g. {@code "name.$"}); the cause is AWS's for templates:
     * {@code The JSONPath '$.x' specified for the field 'name.$' could not be found in the input '{…}'}.
     */
    public static JsonNode read(String path, JsonNode input, JsonNode context, Scope scope, String field) {
        CompiledPath compiled = compile(path);
        try {
            return evaluate(compiled, input, context, scope);
        } catch (CompiledPath.Missing e) {
            JsonNode searched =
                    switch (compiled.root()) {
                        case CONTEXT -> context;
                        case VARIABLE -> scope.lookup(compiled.variable()).orElse(null);
                        default -> input;
                    };
            throw new StatesError(
                    StatesError.RUNTIME,
                    "The JSONPath '" + path + "' specified for the field '" + field
                            + "' could not be found in the input '" + (searched == null ? "null" : searched.toString())
                            + "'");
        }
    }

    /** The value at {@code path} if it has one (an indefinite path always has its array of matches). */
    public static Optional<JsonNode> find(String path, JsonNode input, JsonNode context, Scope scope) {
        try {
            return Optional.of(evaluate(compile(path), input, context, scope));
        } catch (CompiledPath.Missing e) {
            return Optional.empty();
        }
    }

    /** Whether {@code path} parses as a JSONPath (a definition check; reading an unparsable path throws). */
    public static boolean isValid(String path) {
        try {
            compile(path);
            return true;
        } catch (StatesError e) {
            return false;
        }
    }

    /** Whether {@code path} is a reference path: it parses and names at most one node (names, single indexes). */
    public static boolean isReferencePath(String path) {
        try {
            for (Segment segment : compile(path).segments()) {
                boolean single = segment instanceof Segment.Property p
                        ? p.names().size() == 1
                        : segment instanceof Segment.Index x && x.indexes().size() == 1;
                if (!single) {
                    return false;
                }
            }
            return true;
        } catch (StatesError e) {
            return false;
        }
    }

    /**
     * {@code ResultPath}: {@code input} with {@code result} placed at the reference path ({@code "$"} replaces the
     * input; {@code null} keeps the input and discards the result). Missing objects on the way are created; the
     * input is not modified (the nodes on the path are copied). Throws {@code States.ResultPathMatchFailure} when
     * the path cannot be placed in the input (a step into something that is not an object).
     */
    public static JsonNode place(String resultPath, JsonNode input, JsonNode result) {
        if (resultPath == null) {
            return input;
        }
        CompiledPath path = compile(resultPath);
        if (path.root() != CompiledPath.Root.INPUT || !path.definite()) {
            throw new StatesError(StatesError.RESULT_PATH_MATCH_FAILURE, "Invalid ResultPath '" + resultPath + "'");
        }
        return placeAt(path.segments(), 0, input, result, input);
    }

    private static JsonNode placeAt(List<Segment> segments, int i, JsonNode node, JsonNode result, JsonNode input) {
        if (i == segments.size()) {
            return result;
        }
        Segment segment = segments.get(i);
        if (segment instanceof Segment.Property p && node != null && node.isObject()) {
            String name = p.names().get(0);
            JsonNode child = node.get(name);
            if (child == null && i + 1 < segments.size()) {
                child = JsonNodeFactory.instance.objectNode();
            }
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            copy.setAll((ObjectNode) node);
            copy.set(name, placeAt(segments, i + 1, child, result, input));
            return copy;
        }
        if (segment instanceof Segment.Index x && node != null && node.isArray()) {
            int index = x.indexes().get(0);
            int effective = index < 0 ? node.size() + index : index;
            if (effective >= 0 && effective < node.size()) {
                ArrayNode copy = JsonNodeFactory.instance.arrayNode(node.size());
                copy.addAll((ArrayNode) node);
                copy.set(effective, placeAt(segments, i + 1, node.get(effective), result, input));
                return copy;
            }
        }
        throw new StatesError(StatesError.RESULT_PATH_MATCH_FAILURE, unableToApply(segment, input));
    }

    /**
     * A reference path read as AWS reads {@code ItemsPath}: one node, found by names and indexes only. A step that
     * finds nothing fails with {@code States.ReferencePathConflict}, cause
     * {@code Unable to apply step "objects" to input {"discovery":{…}}} (the error name and text AWS reports for a
     * Map whose ItemsPath is missing from its input).
     */
    public static JsonNode readReference(String path, JsonNode input, JsonNode context, Scope scope) {
        CompiledPath compiled = compile(path);
        JsonNode root;
        try {
            root = start(compiled, input, context, scope);
        } catch (CompiledPath.Missing e) {
            throw new StatesError(
                    REFERENCE_PATH_CONFLICT, "Unable to apply step \"" + compiled.variable() + "\" to input null");
        }
        if (!compiled.definite()) {
            throw new StatesError(StatesError.RUNTIME, "Invalid reference path '" + path + "'");
        }
        JsonNode node = root;
        for (Segment segment : compiled.segments()) {
            JsonNode next = null;
            if (segment instanceof Segment.Property p && p.names().size() == 1 && node.isObject()) {
                next = node.get(p.names().get(0));
            } else if (segment instanceof Segment.Index x && node.isArray()) {
                int index = x.indexes().get(0);
                next = node.get(index < 0 ? node.size() + index : index);
            }
            if (next == null) {
                throw new StatesError(REFERENCE_PATH_CONFLICT, unableToApply(segment, root));
            }
            node = next;
        }
        return node;
    }

    /** The error AWS names a reference path ({@code ItemsPath}) that cannot be applied to its input. */
    public static final String REFERENCE_PATH_CONFLICT = "States.ReferencePathConflict";

    private static String unableToApply(Segment segment, JsonNode input) {
        String step = segment instanceof Segment.Property p ? p.names().get(0) : segment.text();
        return "Unable to apply step \"" + step + "\" to input " + (input == null ? "null" : input.toString());
    }

    static CompiledPath compile(String path) {
        try {
            return CompiledPath.of(path);
        } catch (IllegalArgumentException e) {
            throw new StatesError(StatesError.RUNTIME, e.getMessage());
        }
    }

    static JsonNode evaluate(CompiledPath path, JsonNode input, JsonNode context, Scope scope)
            throws CompiledPath.Missing {
        return path.evaluate(start(path, input, context, scope));
    }

    /** The node a path starts from: the input, the context object or a variable's value. */
    static JsonNode start(CompiledPath path, JsonNode input, JsonNode context, Scope scope)
            throws CompiledPath.Missing {
        JsonNode start =
                switch (path.root()) {
                    case INPUT, CURRENT -> input;
                    case CONTEXT -> context;
                    case VARIABLE ->
                        scope.lookup(path.variable())
                                .orElseThrow(
                                        () -> new CompiledPath.Missing("No results for path: $" + path.variable()));
                };
        if (start == null) {
            throw new CompiledPath.Missing("No results for path: " + path.canonical());
        }
        return start;
    }
}
