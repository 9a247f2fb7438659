package dev.patchtide.workflow.definition;

/**
 * One problem found in a definition, shaped as {@code ValidateStateMachineDefinition} reports it: {@code code}
 * such as {@code SCHEMA_VALIDATION_FAILED}, {@code location} a JSON pointer such as
 * {@code /States/Check/Next} (array positions in brackets, as AWS writes them: {@code /States/C/Choices[0]/Next});
 * {@code null} when the problem belongs to no field (invalid JSON, a workflow without a terminal state).
 */
public record Diagnostic(Severity severity, String code, String message, String location) {
    public enum Severity {
        ERROR,
        WARNING
    }
}
