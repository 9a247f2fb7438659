package dev.patchtide.workflow.definition;

import java.util.Optional;

/**
 * A parsed, validated definition. {@code root} holds the top-level {@code StartAt} and {@code States}; Parallel
 * branches and Map item processors are {@link Graph}s of their own.
 */
public record StateMachine(
        Optional<String> comment,
        Graph root,
        Optional<Integer> timeoutSeconds,
        QueryLanguage queryLanguage,
        Optional<String> version) {}
