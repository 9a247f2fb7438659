package dev.patchtide.workflow.definition;

/**
 * A syntactic check of JSONPath strings as definitions write them: {@code $} (the input), {@code $$} (the context
 * object) or {@code $name} (a variable), then segments. A reference path (ResultPath, and any path that must name
 * a single node) allows only {@code .name}, {@code ['name']} and {@code [index]}.
 */
final class PathSyntax {
    private final String text;
    private final boolean reference;
    private int at;

    private PathSyntax(String text, boolean reference) {
        this.text = text;
        this.reference = reference;
    }

    static boolean isPath(String text) {
        return text != null && new PathSyntax(text, false).valid();
    }

    static boolean isReferencePath(String text) {
        return text != null && new PathSyntax(text, true).valid();
    }

    private boolean valid() {
        if (!text.startsWith("$")) {
            return false;
        }
        at = 1;
        if (peek('$')) {
            at++;
        } else {
            while (at < text.length() && isNameChar(text.charAt(at))) {
                at++;
            }
        }
        while (at < text.length()) {
            if (!segment()) {
                return false;
            }
        }
        return true;
    }

    private boolean segment() {
        char c = text.charAt(at);
        if (c == '.') {
            at++;
            if (peek('.')) {
                if (reference) {
                    return false;
                }
                at++;
                if (peek('[')) {
                    return bracket();
                }
            }
            if (peek('*')) {
                at++;
                return !reference;
            }
            int start = at;
            while (at < text.length() && text.charAt(at) != '.' && text.charAt(at) != '[') {
                if (text.charAt(at) == '(') {
                    return function(start);
                }
                at++;
            }
            return at > start && !text.substring(start, at).isBlank();
        }
        return c == '[' && bracket();
    }

    /** A trailing function such as {@code .length()}: not a reference path, and only at the end. */
    private boolean function(int nameStart) {
        if (reference || at == nameStart || !text.startsWith("()", at)) {
            return false;
        }
        at += 2;
        return at == text.length();
    }

    private boolean bracket() {
        at++; // '['
        int close;
        if (peek('\'') || peek('"')) {
            if (!quotedList()) {
                return false;
            }
            return expect(']');
        }
        if (peek('?')) {
            if (reference) {
                return false;
            }
            at++;
            if (!peek('(')) {
                return false;
            }
            close = balanced(at);
            if (close < 0) {
                return false;
            }
            at = close + 1;
            return expect(']');
        }
        close = text.indexOf(']', at);
        if (close < 0) {
            return false;
        }
        String inside = text.substring(at, close).strip();
        at = close + 1;
        if (inside.matches("\\d+")) {
            return true;
        }
        if (reference) {
            return false;
        }
        return inside.equals("*")
                || inside.matches("-?\\d+(\\s*,\\s*-?\\d+)+")
                || inside.matches("-?\\d*\\s*:\\s*-?\\d*(\\s*:\\s*-?\\d*)?")
                || inside.matches("-\\d+");
    }

    private boolean quotedList() {
        int names = 0;
        while (true) {
            char quote = text.charAt(at);
            int end = at + 1;
            while (end < text.length() && text.charAt(end) != quote) {
                end += text.charAt(end) == '\\' ? 2 : 1;
            }
            if (end >= text.length()) {
                return false;
            }
            at = end + 1;
            names++;
            skipSpaces();
            if (!peek(',')) {
                return !reference || names == 1;
            }
            at++;
            skipSpaces();
            if (!peek('\'') && !peek('"')) {
                return false;
            }
        }
    }

    private int balanced(int open) {
        int depth = 0;
        char quote = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private void skipSpaces() {
        while (at < text.length() && text.charAt(at) == ' ') {
            at++;
        }
    }

    private boolean expect(char c) {
        if (peek(c)) {
            at++;
            return true;
        }
        return false;
    }

    private boolean peek(char c) {
        return at < text.length() && text.charAt(at) == c;
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
