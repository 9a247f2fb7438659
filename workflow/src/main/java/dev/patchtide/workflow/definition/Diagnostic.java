package dev.patchtide.workflow.definition;

/**
 * One problem found in a definition, shaped as {@code ValidateStateMachineDefinition} reports it: {@code code}
 * such as {@code SCHEMA_VALIDATION_FAILED}, {@code location} a JSON pointer such as
 * {@code /States/Check/Next}.
 */
public record Diagnostic(Severity severity, String code, String message, String location) {
    public enum Severity {
        ERROR,
        WARNING
    }
}
