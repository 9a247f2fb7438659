package dev.patchtide.workflow.jsonata;

import com.dashjoin.jsonata.Jsonata;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

/** Counts nesting, watches the clock and the size of every value built, and keeps the outermost value. */
final class Guard {
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
        frame.setEvaluateEntryCallback((Jsonata.EntryCallback)
                Proxy.newProxyInstance(loader, new Class<?>[] {Jsonata.EntryCallback.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return objectMethod(proxy, method, args);
                    }
                    enter((Jsonata.Frame) args[2]);
                    return null;
                }));
        frame.setEvaluateExitCallback((Jsonata.ExitCallback)
                Proxy.newProxyInstance(loader, new Class<?>[] {Jsonata.ExitCallback.class}, (proxy, method, args) -> {
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
        if (depth > Evaluator.MAX_DEPTH) {
            throw new Evaluator.Bound(Evaluator.STACK_OVERFLOW);
        }
        if ((++steps & 0x3F) == 0 && System.nanoTime() - deadline > 0) {
            throw new Evaluator.Bound(Evaluator.TIMEOUT);
        }
    }

    void exit(Jsonata.Frame environment, Object result) {
        if (environment.isParallelCall) {
            return;
        }
        depth--;
        if (result instanceof List<?> list && list.size() > Evaluator.MAX_ELEMENTS
                || result instanceof String text && text.length() > Evaluator.MAX_STRING
                || result instanceof Map<?, ?> map && map.size() > Evaluator.MAX_ELEMENTS) {
            throw new Evaluator.Bound(Evaluator.MEMORY_LIMIT);
        }
        if (depth == 0) {
            root = result;
        }
    }

    /** How deep the step running (or the one that failed: a failure skips the exits) is; the whole expression is 1. */
    int depth() {
        return depth;
    }

    boolean rootWasNull() {
        return root == Jsonata.NULL_VALUE
                || root instanceof List<?> list && list.size() == 1 && list.get(0) == Jsonata.NULL_VALUE;
    }
}
