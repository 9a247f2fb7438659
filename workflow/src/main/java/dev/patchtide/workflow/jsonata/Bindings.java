package dev.patchtide.workflow.jsonata;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.data.Scope;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What an expression can read: {@code $states} and the workflow variables, converted to the library's values
 * once per walk of a field (an {@code Arguments} object with many expressions converts its input once).
 */
final class Bindings {
    private final JsonNode states;
    private final Scope scope;
    private final Sources sources;
    private final Map<String, Optional<Object>> converted = new HashMap<>();
    private final long timeLimitNanos;

    Bindings(JsonNode states, Scope scope, Sources sources) {
        this(states, scope, sources, Evaluator.TIME_LIMIT_NANOS);
    }

    /** With another time bound, so a test can trip it without waiting five seconds. */
    Bindings(JsonNode states, Scope scope, Sources sources, long timeLimitNanos) {
        this.timeLimitNanos = timeLimitNanos;
        this.states = states;
        this.scope = scope == null ? Scope.EMPTY : scope;
        this.sources = sources == null ? Sources.SYSTEM : sources;
    }

    long timeLimitNanos() {
        return timeLimitNanos;
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
