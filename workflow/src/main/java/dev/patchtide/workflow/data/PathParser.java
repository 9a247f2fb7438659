package dev.patchtide.workflow.data;

import java.util.ArrayList;
import java.util.List;

/** Parses JSONPath text ({@code $…}, {@code $$…}, {@code $name…}, {@code @…} in filters) into a {@link CompiledPath}. */
final class PathParser {
    private final String text;
    private int pos;

    private PathParser(String text) {
        this.text = text;
    }

    /** Throws {@link IllegalArgumentException} naming what is wrong when {@code text} is not a path. */
    static CompiledPath parse(String text) {
        return new PathParser(text).path();
    }

    private CompiledPath path() {
        CompiledPath.Root root;
        String variable = null;
        if (text.startsWith("$$")) {
            root = CompiledPath.Root.CONTEXT;
            pos = 2;
        } else if (text.startsWith("@")) {
            root = CompiledPath.Root.CURRENT;
            pos = 1;
        } else if (text.startsWith("$")) {
            pos = 1;
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            if (pos > start) {
                root = CompiledPath.Root.VARIABLE;
                variable = text.substring(start, pos);
            } else {
                root = CompiledPath.Root.INPUT;
            }
        } else {
            throw error("a path must start with '$'");
        }
        List<Segment> segments = new ArrayList<>();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (text.startsWith("..", pos)) {
                pos += 2;
                segments.add(new Segment.Scan());
                if (pos < text.length() && text.charAt(pos) == '[') {
                    segments.add(bracket());
                } else {
                    segments.add(dotted());
                }
            } else if (c == '.') {
                pos++;
                segments.add(dotted());
            } else if (c == '[') {
                segments.add(bracket());
            } else {
                throw error("unexpected '" + c + "'");
            }
        }
        boolean definite = true;
        for (int i = 0; i < segments.size(); i++) {
            // Several names as the last step merge into one object (Jayway), which keeps the path definite.
            boolean merge = i == segments.size() - 1 && segments.get(i) instanceof Segment.Property;
            definite &= segments.get(i).definite() || merge;
        }
        return new CompiledPath(root, variable, List.copyOf(segments), text, definite);
    }

    private Segment dotted() {
        if (pos < text.length() && text.charAt(pos) == '*') {
            pos++;
            return new Segment.Wildcard();
        }
        int start = pos;
        while (pos < text.length() && text.charAt(pos) != '.' && text.charAt(pos) != '[') {
            pos++;
        }
        if (pos == start) {
            throw error("a name is missing");
        }
        return new Segment.Property(List.of(text.substring(start, pos)));
    }

    private Segment bracket() {
        pos++; // '['
        skipSpaces();
        Segment segment;
        char c = peek();
        if (c == '*') {
            pos++;
            segment = new Segment.Wildcard();
        } else if (c == '?') {
            pos++;
            skipSpaces();
            expect('(');
            int close = closingParen(pos - 1);
            FilterExpr expr = new FilterParser(text.substring(pos, close)).parseAll();
            pos = close + 1;
            segment = new Segment.Filter(expr);
        } else if (c == '\'' || c == '"') {
            List<String> names = new ArrayList<>();
            do {
                skipSpaces();
                names.add(quoted());
                skipSpaces();
            } while (tryConsume(','));
            segment = new Segment.Property(List.copyOf(names));
        } else {
            segment = indexes();
        }
        skipSpaces();
        expect(']');
        return segment;
    }

    private Segment indexes() {
        Integer first = optionalInt();
        skipSpaces();
        if (peek() == ':') {
            pos++;
            Integer to = optionalInt();
            Integer step = null;
            if (tryConsume(':')) {
                step = optionalInt();
            }
            return new Segment.Slice(first, to, step);
        }
        if (first == null) {
            throw error("an index is missing");
        }
        List<Integer> all = new ArrayList<>(List.of(first));
        while (tryConsume(',')) {
            Integer next = optionalInt();
            if (next == null) {
                throw error("an index is missing");
            }
            all.add(next);
        }
        return new Segment.Index(List.copyOf(all));
    }

    private Integer optionalInt() {
        skipSpaces();
        int start = pos;
        if (pos < text.length() && text.charAt(pos) == '-') {
            pos++;
        }
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == start) {
            return null;
        }
        try {
            return Integer.parseInt(text.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("bad index");
        }
    }

    private String quoted() {
        char quote = peek();
        if (quote != '\'' && quote != '"') {
            throw error("a quoted name is expected");
        }
        pos++;
        StringBuilder out = new StringBuilder();
        while (pos < text.length() && text.charAt(pos) != quote) {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length()) {
                c = text.charAt(pos++);
            }
            out.append(c);
        }
        expect(quote);
        return out.toString();
    }

    private int closingParen(int open) {
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
        throw error("a ')' is missing");
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private boolean tryConsume(char c) {
        skipSpaces();
        if (peek() == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("'" + c + "' expected");
        }
        pos++;
    }

    private void skipSpaces() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("Invalid JSONPath '" + text + "': " + what + " at " + pos);
    }
}
