package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.data.JsonPaths;
import dev.patchtide.workflow.data.Scope;
import dev.patchtide.workflow.data.Templates;
import dev.patchtide.workflow.definition.Dynamic;
import dev.patchtide.workflow.definition.QueryLanguage;
import dev.patchtide.workflow.definition.State;
import dev.patchtide.workflow.jsonata.Jsonata;
import dev.patchtide.workflow.jsonata.Sources;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One state's data processing, in the order the specification gives (InputPath, Parameters, ResultSelector,
 * ResultPath, OutputPath; JSONata's Arguments, Output and {@code $states}). The default paths skip the data layer:
 * most states use them, and EXPRESS runs want them cheap.
 */
final class Flow {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Engine engine;
    private final Frame frame;
    private final State state;
    private JsonNode context;

    Flow(Engine engine, Frame frame, State state) {
        this.engine = engine;
        this.frame = frame;
        this.state = state;
    }

    boolean jsonata() {
        return state.queryLanguage() == QueryLanguage.JSONATA;
    }

    Scope scope() {
        return engine.scope(frame);
    }

    JsonNode context() {
        if (context == null) {
            context = engine.contextObject(frame, state);
        }
        return context;
    }

    /** The context object with {@code Map.Item} set, for a Map's ItemSelector. */
    JsonNode itemContext(int index, JsonNode value) {
        ObjectNode copy = NODES.objectNode();
        copy.setAll((ObjectNode) context()); // shallow: the shared parts are read-only
        ObjectNode item = copy.putObject("Map").putObject("Item");
        item.put("Index", index);
        item.set("Value", value);
        return copy;
    }

    JsonNode inputPath(JsonNode input) {
        return path(state.io().inputPath(), input);
    }

    JsonNode outputPath(JsonNode output) {
        return path(state.io().outputPath(), output);
    }

    private JsonNode path(String path, JsonNode value) {
        if ("$".equals(path)) {
            return value;
        }
        if (path == null) {
            return NODES.objectNode();
        }
        return JsonPaths.read(path, value, context(), scope());
    }

    JsonNode parameters(JsonNode effective) {
        JsonNode template = state.io().parameters();
        return template == null ? effective : Templates.apply(template, effective, context(), scope());
    }

    JsonNode resultSelector(JsonNode result) {
        JsonNode template = state.io().resultSelector();
        return template == null ? result : Templates.apply(template, result, context(), scope());
    }

    JsonNode resultPath(JsonNode input, JsonNode result) {
        return place(state.io().resultPath(), input, result);
    }

    static JsonNode place(String path, JsonNode input, JsonNode result) {
        if ("$".equals(path)) {
            return result;
        }
        if (path == null) {
            return input;
        }
        return JsonPaths.place(path, input, result);
    }

    /** JSONPath {@code Assign}: a template evaluated against {@code base}; null when the state has none. */
    Map<String, JsonNode> assign(JsonNode template, JsonNode base) {
        if (template == null) {
            return null;
        }
        return fields(Templates.apply(template, base, context(), scope()));
    }

    /** {@code $states} for JSONata: the state's input, the context object, and a result or error output. */
    ObjectNode states(JsonNode result, JsonNode errorOutput) {
        ObjectNode states = NODES.objectNode();
        states.set("input", frame.input);
        states.set("context", context());
        if (result != null) {
            states.set("result", result);
        }
        if (errorOutput != null) {
            states.set("errorOutput", errorOutput);
        }
        return states;
    }

    /** A JSONata field; {@code location} names it in causes as AWS does ({@code Output}, {@code Catch[0]/Assign}). */
    JsonNode field(JsonNode field, String location, JsonNode states) {
        try {
            return Jsonata.evaluateField(field, location, states, scope(), sources());
        } catch (StatesError e) {
            throw Jsonata.inState(e, state.name(), frame.enteredEvent);
        }
    }

    /** One JSONata expression (a Condition, a Seconds), which must return something. */
    JsonNode expression(String expression, String location, JsonNode states) {
        try {
            return Jsonata.evaluate(expression, location, states, scope(), sources());
        } catch (StatesError e) {
            throw Jsonata.inState(e, state.name(), frame.enteredEvent);
        }
    }

    Map<String, JsonNode> assignJsonata(JsonNode assign, String location, JsonNode states) {
        if (assign == null) {
            return null;
        }
        JsonNode values = field(assign, location, states);
        if (!values.isObject()) {
            throw Jsonata.inState(
                    new StatesError(
                            StatesError.QUERY_EVALUATION_ERROR, "The field '" + location + "' must be an object"),
                    state.name(),
                    frame.enteredEvent);
        }
        return fields(values);
    }

    private Sources sources() {
        Environment env = engine.env;
        return new Sources() {
            @Override
            public Instant now() {
                return env.now();
            }

            @Override
            public String newUuid() {
                return env.newUuid();
            }

            @Override
            public double random() {
                return env.random();
            }
        };
    }

    /** A {@link Dynamic} field's value: {@code pathInput} for its JSONPath form, {@code states} for JSONata. */
    JsonNode dynamic(Dynamic dynamic, JsonNode pathInput, String field) {
        return switch (dynamic) {
            case Dynamic.Literal literal -> literal.value();
            case Dynamic.Path path -> JsonPaths.read(path.path(), pathInput, context(), scope());
            case Dynamic.Expression expression -> expression(expression.expression(), field, states(null, null));
        };
    }

    long whole(Dynamic dynamic, JsonNode pathInput, String field) {
        JsonNode value = dynamic(dynamic, pathInput, field);
        if (!value.isIntegralNumber() && !(value.isNumber() && value.asDouble() == Math.rint(value.asDouble()))) {
            throw new StatesError(
                    jsonata() ? StatesError.QUERY_EVALUATION_ERROR : StatesError.RUNTIME,
                    "The value of the field '" + field + "' must be an integer, but was: " + value);
        }
        return value.asLong();
    }

    private static Map<String, JsonNode> fields(JsonNode object) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        if (object != null && object.isObject()) {
            object.properties().forEach(e -> values.put(e.getKey(), e.getValue()));
        }
        return values;
    }
}
