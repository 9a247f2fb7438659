package dev.patchtide.workflow.jsonata;

import com.dashjoin.jsonata.JException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.regex.Matcher;
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

    /** Array element types in a signature, as jsonata-js names them in T0412. */
    private static final Map<String, String> ARRAY_OF =
            Map.of("a", "arrays", "b", "booleans", "f", "functions", "n", "numbers", "o", "objects", "s", "strings");

    private static final Pattern NUMBER_INPUT = Pattern.compile("For input string: \"(.*)\"", Pattern.DOTALL);

    /** {@code expression} is the text that failed: some messages need a word from it the library does not keep. */
    static Failure of(Throwable thrown, String expression) {
        if (thrown instanceof Evaluator.Bound bound) {
            return new Failure(bound.getError(), false);
        }
        if (thrown instanceof StackOverflowError) {
            return new Failure(Evaluator.STACK_OVERFLOW, false);
        }
        if (thrown instanceof JException jsonata && jsonata.getError() != null) {
            String code = jsonata.getError();
            if ("T0412".equals(code)) {
                return new Failure(arrayOf(jsonata, expression), true);
            }
            if ("T2009".equals(code)) {
                return new Failure(sameType(jsonata, expression), true);
            }
            if (CODE.matcher(code).matches()) {
                return new Failure(code + ": " + render(code, jsonata.getCurrent(), jsonata.getExpected()), true);
            }
            // Our own functions (and a few library sites) throw the whole message in the code slot.
            return new Failure(code, CODED_TEXT.matcher(code).matches());
        }
        String message = thrown.getMessage();
        if (thrown instanceof NumberFormatException && message != null) {
            // The library's $number lets Java's parse error through; jsonata-js (and AWS) answer D3030.
            Matcher input = NUMBER_INPUT.matcher(message);
            if (input.matches()) {
                return new Failure("D3030: Unable to cast value to a number: " + json(input.group(1)), true);
            }
        }
        return new Failure(message == null ? thrown.getClass().getSimpleName() : message, false);
    }

    /**
     * T0412 as jsonata-js words it ({@code Argument 1 of function "sum" must be an array of "numbers"}). The library
     * keeps neither the function nor the argument's index; its location points just past the call's "(", so the
     * name is read back from the text, and the index is 1: every built-in taking a typed array takes it first.
     */
    private static String arrayOf(JException error, String expression) {
        String type = ARRAY_OF.getOrDefault(String.valueOf(error.getExpected()), String.valueOf(error.getExpected()));
        String function = functionBefore(expression, error.getLocation());
        String subject = function == null ? "Argument 1" : "Argument 1 of function " + json(function);
        return "T0412: " + subject + " must be an array of " + json(type);
    }

    private static String functionBefore(String expression, int location) {
        int end = Math.min(location, expression.length()) - 1;
        while (end >= 0 && Character.isWhitespace(expression.charAt(end))) {
            end--;
        }
        if (end < 0 || expression.charAt(end) != '(') {
            return null;
        }
        int nameEnd = end;
        int start = nameEnd - 1;
        while (start >= 0 && (Character.isLetterOrDigit(expression.charAt(start)) || expression.charAt(start) == '_')) {
            start--;
        }
        if (start < 0 || expression.charAt(start) != '$' || start + 1 == nameEnd) {
            return null;
        }
        return expression.substring(start + 1, nameEnd);
    }

    /**
     * T2009 as jsonata-js words it. The library drops the operator; when the text holds exactly one ordering
     * operator (the only ones that raise T2009), that is it.
     */
    private static String sameType(JException error, String expression) {
        String operator = onlyOrderingOperator(expression);
        return "T2009: The values " + json(error.getCurrent()) + " and " + json(error.getExpected())
                + " either side of operator " + (operator == null ? "" : json(operator) + " ")
                + "must be of the same data type";
    }

    private static String onlyOrderingOperator(String text) {
        String found = null;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '"' || c == '\'' || c == '`') {
                quote = c;
                continue;
            }
            if (c == '<' || c == '>') {
                boolean equals = i + 1 < text.length() && text.charAt(i + 1) == '=';
                String operator = equals ? c + "=" : String.valueOf(c);
                if (found != null && !found.equals(operator)) {
                    return null;
                }
                found = operator;
                i += equals ? 1 : 0;
            }
        }
        return found;
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
