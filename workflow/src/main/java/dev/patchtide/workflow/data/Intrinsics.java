package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates intrinsic function calls ({@code States.Format}, {@code States.Array}, …) in JSONPath payload
 * templates. Bad arguments fail as AWS fails them: {@code States.Runtime}, cause
 * {@code Invalid arguments in States.<Name>}.
 */
public final class Intrinsics {
    private Intrinsics() {}

    /** Whether a {@code .$} value is an intrinsic function call (as opposed to a path). */
    public static boolean isCall(String text) {
        return IntrinsicCall.looksLikeCall(text);
    }

    /** Whether {@code text} parses as an intrinsic call to a known function (a definition check). */
    public static boolean isValid(String text) {
        try {
            return knownAll(IntrinsicCall.parse(text));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean knownAll(IntrinsicCall call) {
        if (!IntrinsicFunctions.known(call.name())) {
            return false;
        }
        for (IntrinsicCall.Arg arg : call.args()) {
            if (arg instanceof IntrinsicCall.Arg.Call nested && !knownAll(nested.call())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value of the call {@code text}. Failures are {@code States.Runtime} with AWS's cause, which names the whole
     * expression as written: {@code The function 'States.Format('{}', $.nope)' had the following error: The
     * JsonPath argument for the field '$.nope' could not be found in the input '{"other":1}'}, or {@code …had the
     * following error: Invalid arguments in States.Format}.
     */
    public static JsonNode evaluate(String text, JsonNode input, JsonNode context, Scope scope, Randomness randomness) {
        IntrinsicCall call;
        try {
            call = IntrinsicCall.parse(text);
        } catch (IllegalArgumentException e) {
            throw new StatesError(StatesError.RUNTIME, e.getMessage());
        }
        try {
            return evaluate(call, input, context, scope, randomness);
        } catch (StatesError e) {
            throw new StatesError(e.error(), "The function '" + text + "' had the following error: " + e.cause());
        }
    }

    private static JsonNode evaluate(
            IntrinsicCall call, JsonNode input, JsonNode context, Scope scope, Randomness randomness) {
        List<JsonNode> values = new ArrayList<>(call.args().size());
        for (IntrinsicCall.Arg arg : call.args()) {
            values.add(
                    switch (arg) {
                        case IntrinsicCall.Arg.Literal literal -> literal.value();
                        case IntrinsicCall.Arg.Path path -> argument(path.path(), input, context, scope);
                        case IntrinsicCall.Arg.Call nested ->
                            evaluate(nested.call(), input, context, scope, randomness);
                    });
        }
        return IntrinsicFunctions.apply(call, values, randomness);
    }

    // Unlike a template field, an argument must find a node: an index past the end of an array fails too.
    private static JsonNode argument(String text, JsonNode input, JsonNode context, Scope scope) {
        CompiledPath path = JsonPaths.compile(text);
        JsonNode start = null;
        try {
            start = JsonPaths.start(path, input, context, scope);
            return path.evaluateStrict(start);
        } catch (CompiledPath.Missing e) {
            throw new StatesError(
                    StatesError.RUNTIME,
                    "The JsonPath argument for the field '" + text + "' could not be found in the input '"
                            + (start == null ? "null" : start.toString()) + "'");
        }
    }
}
