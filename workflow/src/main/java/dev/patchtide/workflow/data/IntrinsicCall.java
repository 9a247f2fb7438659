package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** A parsed intrinsic function call such as {@code States.Format('{} x', $.a, States.Array(1))}. */
record IntrinsicCall(String name, List<Arg> args) {
    /** One argument as written. */
    sealed interface Arg {
        /**
         * A literal: a quoted string, a number, {@code true}, {@code false} or {@code null}. {@code raw} keeps a
         * string's backslash escapes, which {@code States.Format} reads to tell an escaped brace from a placeholder.
         */
        record Literal(JsonNode value, String raw) implements Arg {}

        record Path(String path) implements Arg {}

        record Call(IntrinsicCall call) implements Arg {}
    }

    private static final int CACHE_LIMIT = 10_000;
    private static final ConcurrentHashMap<String, IntrinsicCall> CACHE = new ConcurrentHashMap<>();

    /** Whether a {@code .$} value is an intrinsic call rather than a path. */
    static boolean looksLikeCall(String text) {
        return text.startsWith("States.");
    }

    /** The parsed form of {@code text}, cached; throws {@link IllegalArgumentException} when it does not parse. */
    static IntrinsicCall parse(String text) {
        IntrinsicCall cached = CACHE.get(text);
        if (cached != null) {
            return cached;
        }
        Parser parser = new Parser(text);
        IntrinsicCall call = parser.call();
        parser.spaces();
        if (parser.at != text.length()) {
            throw new IllegalArgumentException("Unexpected text after the intrinsic function call in '" + text + "'");
        }
        if (CACHE.size() >= CACHE_LIMIT) {
            CACHE.clear();
        }
        CACHE.put(text, call);
        return call;
    }

    private static final class Parser {
        private final String src;
        private int at;

        Parser(String src) {
            this.src = src;
        }

        IntrinsicCall call() {
            spaces();
            int start = at;
            while (at < src.length() && (Character.isLetterOrDigit(src.charAt(at)) || src.charAt(at) == '.')) {
                at++;
            }
            String name = src.substring(start, at);
            if (!name.startsWith("States.")) {
                throw fail("an intrinsic function name is expected");
            }
            spaces();
            expect('(');
            List<Arg> args = new ArrayList<>();
            spaces();
            if (peek() == ')') {
                at++;
                return new IntrinsicCall(name, List.copyOf(args));
            }
            while (true) {
                args.add(arg());
                spaces();
                char c = peek();
                at++;
                if (c == ')') {
                    return new IntrinsicCall(name, List.copyOf(args));
                }
                if (c != ',') {
                    throw fail("',' or ')' expected");
                }
            }
        }

        private Arg arg() {
            spaces();
            char c = peek();
            if (c == '\'') {
                return string();
            }
            if (c == '$') {
                return path();
            }
            if (src.startsWith("States.", at)) {
                return new Arg.Call(call());
            }
            for (String word : new String[] {"true", "false", "null"}) {
                if (src.startsWith(word, at)) {
                    at += word.length();
                    JsonNodeFactory json = JsonNodeFactory.instance;
                    return new Arg.Literal(
                            word.equals("null") ? json.nullNode() : json.booleanNode(word.equals("true")), word);
                }
            }
            int start = at;
            while (at < src.length() && "+-.0123456789eE".indexOf(src.charAt(at)) >= 0) {
                at++;
            }
            if (start == at) {
                throw fail("an argument is expected");
            }
            String text = src.substring(start, at);
            try {
                BigDecimal number = new BigDecimal(text);
                JsonNode value = text.contains(".") || text.contains("e") || text.contains("E")
                        ? JsonNodeFactory.instance.numberNode(number.doubleValue())
                        : IntrinsicFunctions.number(number.longValueExact());
                return new Arg.Literal(value, text);
            } catch (ArithmeticException | NumberFormatException e) {
                throw fail("bad number '" + text + "'");
            }
        }

        private Arg string() {
            at++; // opening quote
            StringBuilder value = new StringBuilder();
            StringBuilder raw = new StringBuilder();
            while (at < src.length() && src.charAt(at) != '\'') {
                char c = src.charAt(at++);
                if (c == '\\' && at < src.length()) {
                    char next = src.charAt(at++);
                    value.append(next);
                    // A quote needs no escape once unquoted; other escapes stay for States.Format.
                    if (next == '\'') {
                        raw.append(next);
                    } else {
                        raw.append(c).append(next);
                    }
                } else {
                    value.append(c);
                    raw.append(c);
                }
            }
            expect('\'');
            return new Arg.Literal(JsonNodeFactory.instance.textNode(value.toString()), raw.toString());
        }

        private Arg path() {
            int start = at;
            int depth = 0;
            char quote = 0;
            while (at < src.length()) {
                char c = src.charAt(at);
                if (quote != 0) {
                    if (c == '\\') {
                        at++;
                    } else if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '[' || c == '(') {
                    depth++;
                } else if (c == ']' || (c == ')' && depth > 0)) {
                    depth--;
                } else if (depth == 0 && (c == ',' || c == ')' || c == ' ')) {
                    break;
                }
                at++;
            }
            return new Arg.Path(src.substring(start, at));
        }

        private char peek() {
            return at < src.length() ? src.charAt(at) : 0;
        }

        private void expect(char c) {
            if (peek() != c) {
                throw fail("'" + c + "' expected");
            }
            at++;
        }

        void spaces() {
            while (at < src.length() && Character.isWhitespace(src.charAt(at))) {
                at++;
            }
        }

        private IllegalArgumentException fail(String what) {
            return new IllegalArgumentException(
                    "The intrinsic function '" + src + "' is not valid: " + what + " at " + at);
        }
    }
}
