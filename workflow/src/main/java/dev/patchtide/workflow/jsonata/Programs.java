package dev.patchtide.workflow.jsonata;

import com.dashjoin.jsonata.Jsonata;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Compiled expressions, each compiled once and kept (bounded, least recently used out first).
 *
 * <p>Thread safety of the library: evaluation with a fresh frame per call is safe on a shared compiled object
 * except for one thing. The library runs every evaluation on a per-thread "current" instance, which is the last
 * instance constructed on that thread, and that instance keeps the last evaluation's frame as its environment;
 * a later evaluation of that same object would then see the earlier call's bindings. So right after compiling we
 * construct a throwaway instance, which becomes the thread's current one, and no cached object ever is.
 */
final class Programs {
    private static final int CAPACITY = 4096;

    private static final Map<String, Program> CACHE = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Program> eldest) {
            return size() > CAPACITY;
        }
    };

    private Programs() {}

    static Program compile(String expression) {
        synchronized (CACHE) {
            Program cached = CACHE.get(expression);
            if (cached != null) {
                return cached;
            }
        }
        Program program = parse(expression);
        synchronized (CACHE) {
            CACHE.putIfAbsent(expression, program);
        }
        return program;
    }

    private static Program parse(String expression) {
        try {
            Jsonata jsonata = Jsonata.jsonata(expression);
            return new Program(jsonata, referencedNames(expression), null);
        } catch (RuntimeException | StackOverflowError e) {
            // A deeply nested text overflows the parser's recursion: a failure to compile like any other.
            return new Program(null, Set.of(), Failure.of(e, expression));
        } finally {
            Jsonata.jsonata("null");
        }
    }

    /** A compiled expression with the variable names it may read, or why it does not compile. */
    record Program(Jsonata jsonata, Set<String> variables, Failure syntaxError) {}

    /** Names an expression may read as variables: every {@code $name} in its text (a superset is harmless). */
    static Set<String> referencedNames(String expression) {
        Set<String> names = new LinkedHashSet<>();
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
