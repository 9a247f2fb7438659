package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A field whose value is fixed in the definition or found at run time: {@code TimeoutSeconds} /
 * {@code TimeoutSecondsPath}, {@code Seconds} / {@code SecondsPath}, {@code Timestamp} / {@code TimestampPath},
 * {@code MaxConcurrency} / {@code MaxConcurrencyPath}, {@code ToleratedFailure*}, {@code Error} /
 * {@code ErrorPath}, {@code Cause} / {@code CausePath}; in JSONata states the same field holding a
 * {@code "{% … %}"} string.
 */
public sealed interface Dynamic {
    /** The value as written (a number or a string). */
    record Literal(JsonNode value) implements Dynamic {}

    /** A JSONPath reference path ({@code …Path} fields), read from the state's effective input. */
    record Path(String path) implements Dynamic {}

    /** A JSONata expression, without its {@code {% %}} delimiters. */
    record Expression(String expression) implements Dynamic {}
}
