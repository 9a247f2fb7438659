package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The expression inside a filter {@code [?(…)]}, with Jayway's comparison rules (a type mismatch is false). */
sealed interface FilterExpr {
    boolean test(JsonNode current, JsonNode root);

    record And(FilterExpr left, FilterExpr right) implements FilterExpr {
        public boolean test(JsonNode current, JsonNode root) {
            return left.test(current, root) && right.test(current, root);
        }
    }

    record Or(FilterExpr left, FilterExpr right) implements FilterExpr {
        public boolean test(JsonNode current, JsonNode root) {
            return left.test(current, root) || right.test(current, root);
        }
    }

    record Not(FilterExpr negated) implements FilterExpr {
        public boolean test(JsonNode current, JsonNode root) {
            return !negated.test(current, root);
        }
    }

    /** {@code @.x} alone: the path finds something (a literal alone is its truth). */
    record Exists(Operand operand) implements FilterExpr {
        public boolean test(JsonNode current, JsonNode root) {
            Optional<JsonNode> value = operand.value(current, root);
            if (operand instanceof Operand.Literal) {
                return value.map(JsonNode::asBoolean).orElse(false);
            }
            return value.isPresent();
        }
    }

    record Compare(Operand left, String op, Operand right) implements FilterExpr {
        public boolean test(JsonNode current, JsonNode root) {
            Optional<JsonNode> l = left.value(current, root);
            Optional<JsonNode> r = right.value(current, root);
            if (l.isEmpty() || r.isEmpty()) {
                return false;
            }
            JsonNode a = l.get();
            JsonNode b = r.get();
            return switch (op) {
                case "==" -> same(a, b);
                case "!=" -> !same(a, b);
                case "<" -> order(a, b) instanceof Integer c && c < 0;
                case "<=" -> order(a, b) instanceof Integer c && c <= 0;
                case ">" -> order(a, b) instanceof Integer c && c > 0;
                case ">=" -> order(a, b) instanceof Integer c && c >= 0;
                case "=~" ->
                    a.isTextual()
                            && right instanceof Operand.Regex re
                            && re.pattern().matcher(a.asText()).matches();
                case "in" -> b.isArray() && contains((ArrayNode) b, a);
                case "nin" -> b.isArray() && !contains((ArrayNode) b, a);
                case "contains" ->
                    a.isArray()
                            ? contains((ArrayNode) a, b)
                            : a.isTextual() && b.isTextual() && a.asText().contains(b.asText());
                case "subsetof" -> a.isArray() && b.isArray() && all((ArrayNode) a, (ArrayNode) b);
                case "anyof" -> a.isArray() && b.isArray() && any((ArrayNode) a, (ArrayNode) b);
                case "noneof" -> a.isArray() && b.isArray() && !any((ArrayNode) a, (ArrayNode) b);
                case "size" -> b.isNumber() && size(a) == b.asInt();
                case "empty" -> b.isBoolean() && size(a) >= 0 && (size(a) == 0) == b.asBoolean();
                default -> false;
            };
        }

        private static boolean all(ArrayNode values, ArrayNode in) {
            for (JsonNode value : values) {
                if (!contains(in, value)) {
                    return false;
                }
            }
            return true;
        }

        private static boolean any(ArrayNode values, ArrayNode in) {
            for (JsonNode value : values) {
                if (contains(in, value)) {
                    return true;
                }
            }
            return false;
        }

        private static int size(JsonNode node) {
            if (node.isTextual()) {
                return node.asText().length();
            }
            return node.isContainerNode() ? node.size() : -1;
        }

        private static boolean contains(ArrayNode array, JsonNode value) {
            for (JsonNode element : array) {
                if (same(element, value)) {
                    return true;
                }
            }
            return false;
        }

        static boolean same(JsonNode a, JsonNode b) {
            if (a.isNumber() && b.isNumber()) {
                return a.decimalValue().compareTo(b.decimalValue()) == 0;
            }
            return a.equals(b);
        }

        private static Integer order(JsonNode a, JsonNode b) {
            if (a.isNumber() && b.isNumber()) {
                BigDecimal x = a.decimalValue();
                return x.compareTo(b.decimalValue());
            }
            if (a.isTextual() && b.isTextual()) {
                return a.asText().compareTo(b.asText());
            }
            return null;
        }
    }

    /** A value in a filter: a path from the current node or the root, or a literal. */
    sealed interface Operand {
        Optional<JsonNode> value(JsonNode current, JsonNode root);

        record Relative(CompiledPath path) implements Operand {
            public Optional<JsonNode> value(JsonNode current, JsonNode root) {
                return path.find(current);
            }
        }

        record Absolute(CompiledPath path) implements Operand {
            public Optional<JsonNode> value(JsonNode current, JsonNode root) {
                return path.find(root);
            }
        }

        record Literal(JsonNode value) implements Operand {
            public Optional<JsonNode> value(JsonNode current, JsonNode root) {
                return Optional.of(value);
            }
        }

        record Regex(Pattern pattern, JsonNode text) implements Operand {
            public Optional<JsonNode> value(JsonNode current, JsonNode root) {
                return Optional.of(text);
            }
        }

        /** A list literal {@code ['a','b']} for {@code in}/{@code nin}. */
        record ListLiteral(List<JsonNode> values, ArrayNode array) implements Operand {
            public Optional<JsonNode> value(JsonNode current, JsonNode root) {
                return Optional.of(array);
            }
        }
    }
}
