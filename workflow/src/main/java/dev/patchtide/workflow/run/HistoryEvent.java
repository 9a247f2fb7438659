package dev.patchtide.workflow.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One entry of {@code GetExecutionHistory}: {@code type} as AWS names it ({@code ExecutionStarted},
 * {@code PassStateEntered}, {@code TaskScheduled}, {@code MapIterationStarted}, …), {@code detailsKey} the member
 * that carries {@code details} ({@code executionStartedEventDetails}, {@code stateEnteredEventDetails}, …; null
 * when the event has none), {@code previousEventId} 0 for the first event.
 */
public record HistoryEvent(
        long id, long previousEventId, Instant timestamp, String type, String detailsKey, ObjectNode details) {}
