package dev.patchtide.workflow.definition;

import java.util.Set;

/**
 * A syntactic check of an intrinsic function call ({@code States.Format('{}', $.name)}): a known name, then
 * arguments that are string literals in single quotes, numbers, booleans, null, paths or nested calls.
 */
final class IntrinsicSyntax {
    static final Set<String> FUNCTIONS = Set.of(
            "States.Format",
            "States.StringToJson",
            "States.JsonToString",
            "States.Array",
            "States.ArrayPartition",
            "States.ArrayContains",
            "States.ArrayRange",
            "States.ArrayGetItem",
            "States.ArrayLength",
            "States.ArrayUnique",
            "States.Base64Encode",
            "States.Base64Decode",
            "States.Hash",
            "States.JsonMerge",
            "States.MathRandom",
            "States.MathAdd",
            "States.StringSplit",
            "States.UUID");

    private final String text;
    private int at;

    private IntrinsicSyntax(String text) {
        this.text = text;
    }

    static boolean isCall(String text) {
        var syntax = new IntrinsicSyntax(text.strip());
        return syntax.call() && syntax.at == syntax.text.length();
    }

    private boolean call() {
        int open = text.indexOf('(', at);
        if (open < 0 || !FUNCTIONS.contains(text.substring(at, open))) {
            return false;
        }
        at = open + 1;
        skipSpaces();
        if (peek(')')) {
            at++;
            return true;
        }
        while (true) {
            skipSpaces();
            if (!argument()) {
                return false;
            }
            skipSpaces();
            if (peek(')')) {
                at++;
                return true;
            }
            if (!peek(',')) {
                return false;
            }
            at++;
        }
    }

    private boolean argument() {
        if (at >= text.length()) {
            return false;
        }
        char c = text.charAt(at);
        if (c == '\'') {
            at++;
            while (at < text.length() && text.charAt(at) != '\'') {
                at += text.charAt(at) == '\\' ? 2 : 1;
            }
            if (at >= text.length()) {
                return false;
            }
            at++;
            return true;
        }
        if (text.startsWith("States.", at)) {
            return call();
        }
        int end = argumentEnd();
        String token = text.substring(at, end).strip();
        at = end;
        return token.equals("null")
                || token.equals("true")
                || token.equals("false")
                || token.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?")
                || PathSyntax.isPath(token);
    }

    /** The end of an unquoted argument: the next top-level comma or closing parenthesis. */
    private int argumentEnd() {
        int depth = 0;
        char quote = 0;
        for (int i = at; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if ((c == ')' || c == ']') && depth > 0) {
                depth--;
            } else if ((c == ',' || c == ')') && depth == 0) {
                return i;
            }
        }
        return text.length();
    }

    private void skipSpaces() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private boolean peek(char c) {
        return at < text.length() && text.charAt(at) == c;
    }
}
