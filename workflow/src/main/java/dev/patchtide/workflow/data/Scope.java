package dev.patchtide.workflow.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Workflow variables ({@code Assign}) visible to a state: its own graph's, then those of the graphs around it
 * (a Parallel branch or Map iteration reads its parents' variables). Immutable: {@link #assign} returns a new
 * scope, so a snapshot can keep any scope as it was.
 */
public final class Scope {
    public static final Scope EMPTY = new Scope(null, Map.of());

    private final Scope parent;
    private final Map<String, JsonNode> own;

    private Scope(Scope parent, Map<String, JsonNode> own) {
        this.parent = parent;
        this.own = own;
    }

    /** A new inner scope (a branch or an iteration) that reads this one. */
    public Scope child() {
        return new Scope(this, Map.of());
    }

    public Optional<Scope> parent() {
        return Optional.ofNullable(parent);
    }

    /** This scope's own variables, without the parents'. */
    public Map<String, JsonNode> own() {
        return own;
    }

    public Optional<JsonNode> lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            JsonNode value = s.own.get(name);
            if (value != null) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** This scope with {@code values} set in it (all evaluated first, then assigned together, as AWS does). */
    public Scope assign(Map<String, JsonNode> values) {
        if (values.isEmpty()) {
            return this;
        }
        Map<String, JsonNode> next = new LinkedHashMap<>(own);
        next.putAll(values);
        return new Scope(parent, Map.copyOf(next));
    }
}
