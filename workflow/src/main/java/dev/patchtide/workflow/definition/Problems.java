package dev.patchtide.workflow.definition;

import dev.patchtide.workflow.definition.Diagnostic.Severity;
import java.util.ArrayList;
import java.util.List;

/** Collects diagnostics in the order they are found; the codes are AWS's ValidateStateMachineDefinition codes. */
final class Problems {
    static final String SCHEMA = "SCHEMA_VALIDATION_FAILED";
    static final String INVALID_JSON = "INVALID_JSON_DESCRIPTION";
    static final String MISSING_DESCRIPTION = "MISSING_DESCRIPTION";
    static final String MISSING_TARGET = "MISSING_TRANSITION_TARGET";
    static final String MISSING_END = "MISSING_END_STATE";
    static final String INVALID_RESOURCE = "INVALID_RESOURCE";
    static final String DUPLICATE_STATE = "DUPLICATE_STATE_NAME";
    static final String INVALID_STATE_NAME = "INVALID_STATE_NAME";
    static final String TOO_DEEP = "TOO_DEEPLY_NESTED";
    static final String DUPLICATE_LABEL = "DUPLICATE_LABEL_NAME";
    static final String INVALID_LABEL = "INVALID_LABEL_NAME";

    private final List<Diagnostic> found = new ArrayList<>();

    void error(String code, String message, String location) {
        found.add(new Diagnostic(Severity.ERROR, code, message, location));
    }

    void schema(String message, String location) {
        error(SCHEMA, message, location);
    }

    void warning(String code, String message, String location) {
        found.add(new Diagnostic(Severity.WARNING, code, message, location));
    }

    boolean hasErrors() {
        return found.stream().anyMatch(d -> d.severity() == Severity.ERROR);
    }

    List<Diagnostic> errors() {
        return found.stream().filter(d -> d.severity() == Severity.ERROR).toList();
    }

    List<Diagnostic> all() {
        return List.copyOf(found);
    }
}
