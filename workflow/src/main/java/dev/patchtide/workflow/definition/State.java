package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * The eight state types. {@code queryLanguage} is the state's effective language (its own, else its machine's).
 * Optional fields the definition did not write are {@link Optional#empty()}.
 */
public sealed interface State {
    String name();

    Optional<String> comment();

    QueryLanguage queryLanguage();

    DataFlow io();

    /** {@code Result}: the Pass state's fixed result, when written. */
    record Pass(
            String name,
            Optional<String> comment,
            QueryLanguage queryLanguage,
            DataFlow io,
            Transition transition,
            Optional<JsonNode> result)
            implements State {}

    /**
     * {@code resource} as written (an activity ARN, a Lambda function ARN or an {@code arn:aws:states:::…}
     * integration with its {@code .sync} / {@code .waitForTaskToken} suffix).
     */
    record Task(
            String name,
            Optional<String> comment,
            QueryLanguage queryLanguage,
            DataFlow io,
            Transition transition,
            String resource,
            Optional<Dynamic> timeoutSeconds,
            Optional<Dynamic> heartbeatSeconds,
            Optional<JsonNode> credentials,
            List<Retrier> retry,
            List<Catcher> catchers)
            implements State {}

    record Choice(
            String name,
            Optional<String> comment,
            QueryLanguage queryLanguage,
            DataFlow io,
            List<ChoiceBranch> choices,
            Optional<String> defaultNext)
            implements State {}

    /** Exactly one of {@code Seconds}, {@code SecondsPath}, {@code Timestamp}, {@code TimestampPath}. */
    record Wait(
            String name,
            Optional<String> comment,
            QueryLanguage queryLanguage,
            DataFlow io,
            Transition transition,
            WaitFor waitFor)
            implements State {}

    record Succeed(String name, Optional<String> comment, QueryLanguage queryLanguage, DataFlow io) implements State {}

    /** {@code Error}/{@code ErrorPath} and {@code Cause}/{@code CausePath}. */
    record Fail(
            String name,
            Optional<String> comment,
            QueryLanguage queryLanguage,
            DataFlow io,
            Optional<Dynamic> error,
            Optional<Dynamic> cause)
            implements State {}

    record Parallel(
            String name,
            Optional<String> comment,
            QueryLanguage queryLanguage,
            DataFlow io,
            Transition transition,
            List<Graph> branches,
            List<Retrier> retry,
            List<Catcher> catchers)
            implements State {}

    /**
     * {@code itemProcessor} is {@code ItemProcessor} (or the older {@code Iterator}); {@code itemSelector} is
     * {@code ItemSelector} (or the older {@code Parameters}); {@code itemsPath} defaults to {@code "$"};
     * {@code items} is the JSONata {@code Items} field. Reader, batcher and writer are kept as written.
     */
    record Map(
            String name,
            Optional<String> comment,
            QueryLanguage queryLanguage,
            DataFlow io,
            Transition transition,
            Graph itemProcessor,
            ProcessorMode mode,
            Optional<String> executionType,
            String itemsPath,
            Optional<JsonNode> items,
            Optional<JsonNode> itemSelector,
            Optional<JsonNode> itemBatcher,
            Optional<JsonNode> itemReader,
            Optional<JsonNode> resultWriter,
            Optional<Dynamic> maxConcurrency,
            Optional<Dynamic> toleratedFailureCount,
            Optional<Dynamic> toleratedFailurePercentage,
            Optional<String> label,
            List<Retrier> retry,
            List<Catcher> catchers)
            implements State {}

    enum ProcessorMode {
        INLINE,
        DISTRIBUTED
    }

    /** How long a Wait state waits. */
    sealed interface WaitFor {
        record Seconds(Dynamic seconds) implements WaitFor {}

        record Timestamp(Dynamic timestamp) implements WaitFor {}
    }
}
