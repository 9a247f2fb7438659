package dev.patchtide.workflow.jsonata;

import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.data.Scope;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Evaluates expressions with {@code $states}, the workflow variables and AWS's functions bound, inside the bounds
 * AWS holds (nesting depth 100, a value's size) plus a time bound of our own, so a hostile expression ends in a
 * {@code States.QueryEvaluationError} instead of holding a server thread.
 */
final class Evaluator {
    static final String STACK_OVERFLOW = "Stack overflow error: Check for non-terminating recursive function. "
            + "Consider rewriting as tail-recursive.";
    static final String TIMEOUT = "Expression evaluation timeout: Check for infinite loop";
    static final String MEMORY_LIMIT = "Expression evaluation memory limit exceeded: Check for excessive memory usage";

    /** AWS evaluates nesting depth 100 and refuses 101 (counted as the library counts its evaluation steps). */
    static final int MAX_DEPTH = 100;

    /** AWS refuses a value past about 7 MB (873,782 numbers; a string of 2^23 characters). */
    static final long MAX_ELEMENTS = 873_782;

    static final long MAX_STRING = 873_782L * 8;

    private static final long TIME_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private Evaluator() {}

    /** What one evaluation gave: a value, JSON null, or nothing (undefined). */
    sealed interface Result {
        record Value(JsonNode json) implements Result {}

        record Undefined() implements Result {}

        /** A value JSON cannot hold (a function). */
        record Unsupported() implements Result {}
    }

    /** A failed evaluation, worded for the cause. */
    static final class Failed extends RuntimeException {
        private final Failure failure;

        Failed(Failure failure) {
            super(failure.text(), null, false, false);
            this.failure = failure;
        }

        Failure failure() {
            return failure;
        }
    }

    /** One of our bounds tripped; worded as AWS words it. */
    static final class Bound extends JException {
        Bound(String message) {
            super(message, -1);
        }
    }

    static Result evaluate(String expression, Bindings bindings) {
        Programs.Program program = Programs.compile(expression);
        if (program.syntaxError() != null) {
            throw new Failed(program.syntaxError());
        }
        Jsonata.Frame frame = program.jsonata().createFrame();
        Guard guard = new Guard(System.nanoTime() + bindings.timeLimitNanos);
        guard.install(frame);
        AwsFunctions.bind(frame, bindings.sources());
        for (String name : program.variables()) {
            Object value = bindings.variable(name);
            if (value != null) {
                frame.bind(name, value);
            }
        }
        Object result;
        try {
            result = program.jsonata().evaluate(null, frame);
        } catch (StackOverflowError e) {
            throw new Failed(new Failure(STACK_OVERFLOW, false));
        } catch (RuntimeException e) {
            throw new Failed(Failure.of(rootCause(e)));
        }
        if (result == null) {
            // The library turns JSON null into Java null on the way out; the top step's own value tells them apart.
            return guard.rootWasNull() ? new Result.Value(Values.toJson(null)) : new Result.Undefined();
        }
        try {
            return new Result.Value(Values.toJson(result));
        } catch (Values.UnsupportedResult e) {
            return new Result.Unsupported();
        }
    }

    /** Our bound or a library error may arrive wrapped by a function-call site. */
    private static Throwable rootCause(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof Bound || t instanceof JException) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return thrown;
    }

    /** Counts nesting, watches the clock and the size of every value built, and keeps the outermost value. */
    private static final class Guard {
        private final long deadline;
        private int depth;
        private int steps;
        private Object root;

        Guard(long deadline) {
            this.deadline = deadline;
        }

        /**
         * The callback interfaces name a class the library keeps package-private, so neither a lambda nor a class
         * of ours can implement them; a proxy can (it never names the parameter types).
         */
        void install(Jsonata.Frame frame) {
            ClassLoader loader = Jsonata.class.getClassLoader();
            frame.setEvaluateEntryCallback((Jsonata.EntryCallback) Proxy.newProxyInstance(
                    loader, new Class<?>[] {Jsonata.EntryCallback.class}, (proxy, method, args) -> {
                        if (method.getDeclaringClass() == Object.class) {
                            return objectMethod(proxy, method, args);
                        }
                        enter((Jsonata.Frame) args[2]);
                        return null;
                    }));
            frame.setEvaluateExitCallback((Jsonata.ExitCallback) Proxy.newProxyInstance(
                    loader, new Class<?>[] {Jsonata.ExitCallback.class}, (proxy, method, args) -> {
                        if (method.getDeclaringClass() == Object.class) {
                            return objectMethod(proxy, method, args);
                        }
                        exit((Jsonata.Frame) args[2], args[3]);
                        return null;
                    }));
        }

        private static Object objectMethod(Object proxy, Method method, Object[] args) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "Guard";
            };
        }

        void enter(Jsonata.Frame environment) {
            if (environment.isParallelCall) {
                return;
            }
            depth++;
            if (depth > MAX_DEPTH) {
                throw new Bound(STACK_OVERFLOW);
            }
            if ((++steps & 0x3F) == 0 && System.nanoTime() - deadline > 0) {
                throw new Bound(TIMEOUT);
            }
        }

        void exit(Jsonata.Frame environment, Object result) {
            if (environment.isParallelCall) {
                return;
            }
            depth--;
            if (result instanceof List<?> list && list.size() > MAX_ELEMENTS
                    || result instanceof String text && text.length() > MAX_STRING
                    || result instanceof Map<?, ?> map && map.size() > MAX_ELEMENTS) {
                throw new Bound(MEMORY_LIMIT);
            }
            if (depth == 0) {
                root = result;
            }
        }

        boolean rootWasNull() {
            return root == Jsonata.NULL_VALUE
                    || root instanceof List<?> list && list.size() == 1 && list.get(0) == Jsonata.NULL_VALUE;
        }
    }

    /**
     * What an expression can read: {@code $states} and the workflow variables, converted to the library's values
     * once per walk of a field (an {@code Arguments} object with many expressions converts its input once).
     */
    static final class Bindings {
        private final JsonNode states;
        private final Scope scope;
        private final Sources sources;
        private final Map<String, Optional<Object>> converted = new HashMap<>();
        private final long timeLimitNanos;

        Bindings(JsonNode states, Scope scope, Sources sources) {
            this(states, scope, sources, TIME_LIMIT_NANOS);
        }

        /** With another time bound, so a test can trip it without waiting five seconds. */
        Bindings(JsonNode states, Scope scope, Sources sources, long timeLimitNanos) {
            this.timeLimitNanos = timeLimitNanos;
            this.states = states;
            this.scope = scope == null ? Scope.EMPTY : scope;
            this.sources = sources == null ? Sources.SYSTEM : sources;
        }

        Sources sources() {
            return sources;
        }

        /** The value of {@code $name}, or null when nothing is bound to it. */
        Object variable(String name) {
            Function<String, Optional<Object>> convert = key -> "states".equals(key)
                    ? Optional.ofNullable(Values.toJava(states))
                    : scope.lookup(key).map(Values::toJava);
            return converted.computeIfAbsent(name, convert).orElse(null);
        }
    }

    /** Names an expression may read as variables: every {@code $name} in its text (a superset is harmless). */
    static Set<String> referencedNames(String expression) {
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        int n = expression.length();
        for (int i = 0; i < n; i++) {
            if (expression.charAt(i) != '$') {
                continue;
            }
            int start = i + 1;
            int end = start;
            while (end < n && isNameChar(expression.charAt(end))) {
                end++;
            }
            if (end > start) {
                names.add(expression.substring(start, end));
            }
            i = end - 1;
        }
        return Set.copyOf(names);
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
