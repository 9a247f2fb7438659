package dev.patchtide.workflow.definition;

import java.util.Map;

/**
 * {@code StartAt} and {@code States}: the top level, a Parallel branch or a Map's item processor. {@code states}
 * keeps the definition's order (a {@code LinkedHashMap}, unmodifiable).
 */
public record Graph(String startAt, Map<String, State> states) {
    public State state(String name) {
        State state = states.get(name);
        if (state == null) {
            throw new IllegalArgumentException("no state " + name); // the validator makes this unreachable
        }
        return state;
    }
}
