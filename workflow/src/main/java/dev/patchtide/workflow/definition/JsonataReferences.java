package dev.patchtide.workflow.definition;

import java.lang.reflect.Field;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The names a JSONata expression reads from the top level. Step Functions evaluates expressions with no context
 * item (the input is {@code $states.input}, variables are {@code $name}), so AWS refuses a path whose first step
 * is a bare name. Only positions evaluated against the top-level context are walked (operands, arguments,
 * constructors, conditions, blocks); steps after the first, filters and lambda bodies are relative to another
 * context and are left alone, so a doubtful case is accepted rather than refused.
 *
 * <p>com.dashjoin.jsonata keeps its parse tree package-private; it is read reflectively, and if that ever fails
 * (another library version) the check reports nothing rather than refusing good definitions.
 */
final class JsonataReferences {
    private static final Optional<Access> ACCESS = Access.open();

    private JsonataReferences() {}

    static Set<String> topLevelNames(com.dashjoin.jsonata.Jsonata parsed) {
        Set<String> names = new LinkedHashSet<>();
        ACCESS.ifPresent(access -> {
            try {
                access.walk(access.get(parsed, access.ast), names, 0);
            } catch (ReflectiveOperationException | RuntimeException e) {
                names.clear(); // the tree is not what this class expects: say nothing
            }
        });
        return names;
    }

    /** The members of {@code $states} the expression reads ({@code input}, {@code result}, …), anywhere in it. */
    static Set<String> statesFields(com.dashjoin.jsonata.Jsonata parsed) {
        Set<String> fields = new LinkedHashSet<>();
        ACCESS.ifPresent(access -> {
            try {
                access.states(
                        access.get(parsed, access.ast),
                        fields,
                        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
            } catch (ReflectiveOperationException | RuntimeException e) {
                fields.clear();
            }
        });
        return fields;
    }

    private static final List<String> CHILDREN = List.of(
            "steps",
            "arguments",
            "predicate",
            "stages",
            "expressions",
            "terms",
            "lhs",
            "rhs",
            "expression",
            "body",
            "procedure",
            "condition",
            "then",
            "_else",
            "group",
            "pattern",
            "update",
            "delete");

    private record Access(Field ast, Class<?> symbol) {
        static Optional<Access> open() {
            try {
                Field ast = com.dashjoin.jsonata.Jsonata.class.getDeclaredField("ast");
                ast.setAccessible(true);
                return Optional.of(new Access(ast, ast.getType()));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return Optional.empty();
            }
        }

        Object get(Object target, Field field) throws IllegalAccessException {
            return field.get(target);
        }

        Object field(Object node, String name) throws ReflectiveOperationException {
            for (Class<?> c = node.getClass(); c != null; c = c.getSuperclass()) {
                try {
                    Field f = c.getDeclaredField(name);
                    f.setAccessible(true);
                    return f.get(node);
                } catch (NoSuchFieldException e) {
                    // declared higher up
                }
            }
            throw new NoSuchFieldException(name);
        }

        void walk(Object node, Set<String> names, int depth) throws ReflectiveOperationException {
            if (node == null || depth > 200) {
                return;
            }
            String type = String.valueOf(field(node, "type"));
            switch (type) {
                case "path" -> {
                    List<?> steps = (List<?>) field(node, "steps");
                    if (steps != null && !steps.isEmpty()) {
                        Object first = steps.getFirst();
                        if ("name".equals(field(first, "type"))) {
                            names.add(String.valueOf(field(first, "value")));
                        } else {
                            walk(first, names, depth + 1);
                        }
                    }
                }
                case "name" -> names.add(String.valueOf(field(node, "value")));
                case "binary", "bind" -> {
                    walk(field(node, "lhs"), names, depth + 1);
                    walk(field(node, "rhs"), names, depth + 1);
                }
                case "apply" -> walk(field(node, "lhs"), names, depth + 1);
                case "condition" -> {
                    walk(field(node, "condition"), names, depth + 1);
                    walk(field(node, "then"), names, depth + 1);
                    walk(field(node, "_else"), names, depth + 1);
                }
                case "function", "partial" -> walkAll((List<?>) field(node, "arguments"), names, depth);
                case "block" -> walkAll((List<?>) field(node, "expressions"), names, depth);
                case "unary" -> {
                    walkAll((List<?>) field(node, "expressions"), names, depth);
                    List<?> pairs = (List<?>) field(node, "lhsObject");
                    if (pairs != null) {
                        for (Object pair : pairs) {
                            for (Object side : (Object[]) pair) {
                                walk(side, names, depth + 1);
                            }
                        }
                    }
                    walk(field(node, "expression"), names, depth + 1);
                }
                default -> {}
            }
        }

        void states(Object node, Set<String> fields, Set<Object> seen) throws ReflectiveOperationException {
            if (node == null || !seen.add(node) || seen.size() > 100_000) {
                return;
            }
            if (node instanceof List<?> list) {
                for (Object n : list) {
                    states(n, fields, seen);
                }
                return;
            }
            if (node instanceof Object[] pair) {
                for (Object n : pair) {
                    states(n, fields, seen);
                }
                return;
            }
            if (!symbol.isInstance(node)) {
                return;
            }
            if ("path".equals(field(node, "type"))) {
                List<?> steps = (List<?>) field(node, "steps");
                if (steps != null
                        && steps.size() > 1
                        && "variable".equals(field(steps.get(0), "type"))
                        && "states".equals(field(steps.get(0), "value"))
                        && "name".equals(field(steps.get(1), "type"))) {
                    fields.add(String.valueOf(field(steps.get(1), "value")));
                }
            }
            for (String child : CHILDREN) {
                states(field(node, child), fields, seen);
            }
            Object pairs = field(node, "lhsObject");
            if (pairs != null) {
                states(pairs, fields, seen);
            }
        }

        private void walkAll(List<?> nodes, Set<String> names, int depth) throws ReflectiveOperationException {
            if (nodes != null) {
                for (Object n : nodes) {
                    walk(n, names, depth + 1);
                }
            }
        }
    }
}
