package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The expression of a filter: {@code ||}, {@code &&}, {@code !}, parentheses, comparisons, existence. */
final class FilterParser {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final String src;
    private int at;

    FilterParser(String src) {
        this.src = src;
    }

    FilterExpr parseAll() {
        FilterExpr expr = or();
        space();
        if (at != src.length()) {
            throw new IllegalArgumentException("Invalid filter '" + src + "' at " + at);
        }
        return expr;
    }

    private FilterExpr or() {
        FilterExpr left = and();
        while (take("||")) {
            left = new FilterExpr.Or(left, and());
        }
        return left;
    }

    private FilterExpr and() {
        FilterExpr left = unary();
        while (take("&&")) {
            left = new FilterExpr.And(left, unary());
        }
        return left;
    }

    private FilterExpr unary() {
        space();
        if (src.startsWith("!", at) && !src.startsWith("!=", at)) {
            at++;
            return new FilterExpr.Not(unary());
        }
        if (src.startsWith("(", at)) {
            at++;
            FilterExpr inner = or();
            if (!take(")")) {
                throw new IllegalArgumentException("Invalid filter '" + src + "': ')' expected");
            }
            return inner;
        }
        FilterExpr.Operand left = operand();
        space();
        for (String op : new String[] {
            "==",
            "!=",
            "<=",
            ">=",
            "=~",
            "<",
            ">",
            "nin ",
            "in ",
            "subsetof ",
            "anyof ",
            "noneof ",
            "contains ",
            "size ",
            "empty "
        }) {
            if (src.startsWith(op, at)) {
                at += op.length();
                return new FilterExpr.Compare(left, op.strip(), operand());
            }
        }
        return new FilterExpr.Exists(left);
    }

    private FilterExpr.Operand operand() {
        space();
        if (at >= src.length()) {
            throw new IllegalArgumentException("Invalid filter '" + src + "': a value is missing");
        }
        char c = src.charAt(at);
        if (c == '@' || c == '$') {
            int start = at;
            int depth = 0;
            char quote = 0;
            while (at < src.length()) {
                char d = src.charAt(at);
                if (quote != 0) {
                    if (d == quote) {
                        quote = 0;
                    }
                } else if (d == '\'' || d == '"') {
                    quote = d;
                } else if (d == '[') {
                    depth++;
                } else if (d == ']') {
                    depth--;
                } else if (depth == 0 && " =!<>&|)".indexOf(d) >= 0) {
                    break;
                }
                at++;
            }
            CompiledPath path = PathParser.parse(src.substring(start, at));
            return c == '@' ? new FilterExpr.Operand.Relative(path) : new FilterExpr.Operand.Absolute(path);
        }
        if (c == '\'' || c == '"') {
            return new FilterExpr.Operand.Literal(JSON.textNode(string(c)));
        }
        if (c == '/') {
            int end = src.indexOf('/', at + 1);
            String body = src.substring(at + 1, end);
            at = end + 1;
            int flags = 0;
            while (at < src.length() && Character.isLetter(src.charAt(at))) {
                if (src.charAt(at) == 'i') {
                    flags |= Pattern.CASE_INSENSITIVE;
                }
                at++;
            }
            return new FilterExpr.Operand.Regex(Pattern.compile(body, flags), JSON.textNode(body));
        }
        if (c == '[') {
            at++;
            List<JsonNode> values = new ArrayList<>();
            ArrayNode array = JSON.arrayNode();
            space();
            while (at < src.length() && src.charAt(at) != ']') {
                JsonNode value = ((FilterExpr.Operand.Literal) operand()).value();
                values.add(value);
                array.add(value);
                take(",");
                space();
            }
            at++;
            return new FilterExpr.Operand.ListLiteral(List.copyOf(values), array);
        }
        for (String word : new String[] {"true", "false", "null"}) {
            if (src.startsWith(word, at)) {
                at += word.length();
                return new FilterExpr.Operand.Literal(
                        word.equals("null") ? JSON.nullNode() : JSON.booleanNode(word.equals("true")));
            }
        }
        int start = at;
        while (at < src.length() && "+-.0123456789eE".indexOf(src.charAt(at)) >= 0) {
            at++;
        }
        if (start == at) {
            throw new IllegalArgumentException("Invalid filter '" + src + "' at " + at);
        }
        BigDecimal number = new BigDecimal(src.substring(start, at));
        return new FilterExpr.Operand.Literal(
                number.scale() <= 0 && number.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0
                        ? JSON.numberNode(number.longValueExact())
                        : JSON.numberNode(number));
    }

    private String string(char quote) {
        at++;
        StringBuilder out = new StringBuilder();
        while (at < src.length() && src.charAt(at) != quote) {
            char c = src.charAt(at++);
            if (c == '\\' && at < src.length()) {
                c = src.charAt(at++);
            }
            out.append(c);
        }
        at++;
        return out.toString();
    }

    private boolean take(String token) {
        space();
        if (src.startsWith(token, at)) {
            at += token.length();
            return true;
        }
        return false;
    }

    private void space() {
        while (at < src.length() && src.charAt(at) == ' ') {
            at++;
        }
    }
}
