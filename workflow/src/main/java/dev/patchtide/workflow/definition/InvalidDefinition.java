package dev.patchtide.workflow.definition;

import java.util.List;

/** The definition cannot run; {@link #diagnostics} has every error found (at least one). */
public final class InvalidDefinition extends Exception {
    private final transient List<Diagnostic> diagnostics;

    public InvalidDefinition(List<Diagnostic> diagnostics) {
        super(
                diagnostics.isEmpty()
                        ? "invalid definition"
                        : diagnostics.getFirst().message());
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
