package dev.patchtide.workflow.jsonata;

import com.dashjoin.jsonata.JException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.regex.Pattern;

/**
 * Why one expression failed, worded as AWS words it: a coded JSONata error reads {@code T0410: Argument 1 of
 * function "abs" does not match function signature} and follows the field sentence after {@code ". "}; an
 * evaluation bound reads as bare text after {@code ": "}.
 */
record Failure(String text, boolean coded) {
    private static final Pattern CODE = Pattern.compile("[A-Z][0-9]{4}");
    private static final Pattern CODED_TEXT = Pattern.compile("[A-Z][0-9]{4}: .*", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CURRENT = "\u0001current\u0001";
    private static final String EXPECTED = "\u0001expected\u0001";

    static Failure of(Throwable thrown) {
        if (thrown instanceof Evaluator.Bound bound) {
            return new Failure(bound.getError(), false);
        }
        if (thrown instanceof StackOverflowError) {
            return new Failure(Evaluator.STACK_OVERFLOW, false);
        }
        if (thrown instanceof OutOfMemoryError) {
            return new Failure(Evaluator.MEMORY_LIMIT, false);
        }
        if (thrown instanceof JException jsonata && jsonata.getError() != null) {
            String code = jsonata.getError();
            if (CODE.matcher(code).matches()) {
                return new Failure(code + ": " + render(code, jsonata.getCurrent(), jsonata.getExpected()), true);
            }
            // Our own functions (and a few library sites) throw the whole message in the code slot.
            return new Failure(code, CODED_TEXT.matcher(code).matches());
        }
        String message = thrown.getMessage();
        return new Failure(message == null ? thrown.getClass().getSimpleName() : message, false);
    }

    /**
     * The library's message template with its values put back as jsonata-js renders them (JSON, so strings are
     * quoted and numbers are not). Its catalog says "Object" where jsonata-js says "function"; the template is
     * rendered with markers first so that fix cannot touch a value.
     */
    private static String render(String code, Object current, Object expected) {
        String template = JException.msg(code, -1, CURRENT, EXPECTED).replace("Object", "function");
        return template.replace('"' + CURRENT + '"', json(current))
                .replace('"' + EXPECTED + '"', json(expected))
                .replace(CURRENT, String.valueOf(current))
                .replace(EXPECTED, String.valueOf(expected));
    }

    private static String json(Object value) {
        if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
            return '"' + (d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity") + '"';
        }
        try {
            return JSON.writeValueAsString(Values.toJson(value));
        } catch (JsonProcessingException | RuntimeException e) {
            return String.valueOf(value);
        }
    }
}
