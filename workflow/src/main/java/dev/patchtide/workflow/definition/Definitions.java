package dev.patchtide.workflow.definition;

import java.util.List;

/** The entry point: JSON text in, a validated {@link StateMachine} or every problem found out. */
public final class Definitions {
    private Definitions() {}

    /** Parses and validates; throws with every error diagnostic (warnings do not stop a definition). */
    public static StateMachine parse(String json) throws InvalidDefinition {
        throw new UnsupportedOperationException("definition helper: not written yet");
    }

    /** Every diagnostic (errors and warnings), as {@code ValidateStateMachineDefinition} lists them. */
    public static List<Diagnostic> validate(String json) {
        throw new UnsupportedOperationException("definition helper: not written yet");
    }
}
