package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import java.util.Map;

/**
 * Payload templates ({@code Parameters}, {@code ResultSelector}, {@code ItemSelector}, a Catch's or Assign's
 * JSONPath values): fields ending in {@code .$} take the value of a path, a context path or an intrinsic
 * function call; other fields are copied. A path that matches nothing throws {@code States.Runtime} (as AWS
 * reports it for {@code Parameters}).
 */
public final class Templates {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Templates() {}

    /**
     * The template applied with real randomness for {@code States.UUID} and {@code States.MathRandom}; the
     * interpreter should pass its environment's instead: {@code new Randomness(env::random, env::newUuid)}.
     */
    public static JsonNode apply(JsonNode template, JsonNode input, JsonNode context, Scope scope) {
        return apply(template, input, context, scope, Randomness.DEFAULT);
    }

    /**
     * {@code template} with every {@code "key.$": "…"} field replaced by {@code "key": value}, through nested
     * objects and arrays. Failures: {@code States.Runtime}, cause
     * {@code The JSONPath '$.x' specified for the field 'key.$' could not be found in the input '{…}'}, or for an
     * intrinsic function {@code The function 'States.…(…)' had the following error: …} (see {@link Intrinsics}).
     * The result may share nodes with the input and the template: treat all three as immutable.
     */
    public static JsonNode apply(
            JsonNode template, JsonNode input, JsonNode context, Scope scope, Randomness randomness) {
        if (template == null) {
            return null;
        }
        if (template.isObject()) {
            ObjectNode out = JSON.objectNode();
            for (Map.Entry<String, JsonNode> field : template.properties()) {
                String key = field.getKey();
                JsonNode value = field.getValue();
                if (key.endsWith(".$") && key.length() > 2) {
                    out.set(key.substring(0, key.length() - 2), value(key, value, input, context, scope, randomness));
                } else {
                    out.set(key, apply(value, input, context, scope, randomness));
                }
            }
            return out;
        }
        if (template.isArray()) {
            ArrayNode out = JSON.arrayNode(template.size());
            for (JsonNode element : template) {
                out.add(apply(element, input, context, scope, randomness));
            }
            return out;
        }
        return template;
    }

    /** The value of one {@code .$} field: an intrinsic call or a path. */
    public static JsonNode value(
            String key, JsonNode expression, JsonNode input, JsonNode context, Scope scope, Randomness randomness) {
        if (!expression.isTextual()) {
            throw new StatesError(
                    StatesError.RUNTIME,
                    "The value of the field '" + key + "' must be a JSONPath or an intrinsic function");
        }
        String text = expression.textValue();
        if (Intrinsics.isCall(text)) {
            return Intrinsics.evaluate(text, input, context, scope, randomness);
        }
        return JsonPaths.read(text, input, context, scope, key);
    }
}
