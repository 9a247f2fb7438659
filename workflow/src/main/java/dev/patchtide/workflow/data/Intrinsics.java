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
     * The value of the call {@code text}; {@code field} (the template key with its {@code .$}) names the field in
     * the cause when a path argument finds nothing.
     */
    public static JsonNode evaluate(
            String text, JsonNode input, JsonNode context, Scope scope, Sources sources, String field) {
        IntrinsicCall call;
        try {
            call = IntrinsicCall.parse(text);
        } catch (IllegalArgumentException e) {
            throw new StatesError(StatesError.RUNTIME, e.getMessage());
        }
        return evaluate(call, input, context, scope, sources, field);
    }

    private static JsonNode evaluate(
            IntrinsicCall call, JsonNode input, JsonNode context, Scope scope, Sources sources, String field) {
        List<JsonNode> values = new ArrayList<>(call.args().size());
        for (IntrinsicCall.Arg arg : call.args()) {
            values.add(
                    switch (arg) {
                        case IntrinsicCall.Arg.Literal literal -> literal.value();
                        case IntrinsicCall.Arg.Path path -> JsonPaths.read(path.path(), input, context, scope, field);
                        case IntrinsicCall.Arg.Call nested ->
                            evaluate(nested.call(), input, context, scope, sources, field);
                    });
        }
        return IntrinsicFunctions.apply(call, values, sources);
    }
}
