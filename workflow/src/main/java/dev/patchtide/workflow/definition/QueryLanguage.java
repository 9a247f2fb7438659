package dev.patchtide.workflow.definition;

/** The language a state's fields are written in; a state without one takes its machine's (JSONPath by default). */
public enum QueryLanguage {
    JSONPATH,
    JSONATA
}
