package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** The entry point: JSON text in, a validated {@link StateMachine} or every problem found out. */
public final class Definitions {
    private Definitions() {}

    /** Parses and validates; throws with every error diagnostic (warnings do not stop a definition). */
    public static StateMachine parse(String json) throws InvalidDefinition {
        var problems = new Problems();
        Optional<JsonNode> root = check(json, problems);
        if (root.isEmpty() || problems.hasErrors()) {
            throw new InvalidDefinition(problems.errors());
        }
        return ModelReader.read(root.get());
    }

    /**
     * Every diagnostic (errors and warnings), as {@code ValidateStateMachineDefinition} lists them; a diagnostic
     * about the whole definition (invalid JSON, no terminal state) has a {@code null} location.
     */
    public static List<Diagnostic> validate(String json) {
        var problems = new Problems();
        check(json, problems);
        return problems.all();
    }

    private static Optional<JsonNode> check(String json, Problems problems) {
        Optional<JsonNode> root = JsonText.read(json, problems);
        root.ifPresent(r -> Validator.validate(r, problems));
        return root;
    }
}
