package dev.patchtide.workflow.jsonata;

import static dev.patchtide.workflow.jsonata.JsonataTest.failure;
import static dev.patchtide.workflow.jsonata.JsonataTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.data.Scope;
import org.junit.jupiter.api.Test;

/**
 * Causes as AWS reports them for one-state machines (state 'E', entered at event #2, input {@code {}}), each
 * field position a state can hold an expression in, put together the way the interpreter does.
 */
class AwsRecordedCausesTest {
    private static final JsonNode STATES = JsonataFields.states(json("{}"), json("{}"), null, null);
    private static final String PREFIX =
            "An error occurred while executing the state 'E' (entered at the event id #2). ";

    private static String inE(Runnable action) {
        StatesError error = failure(action);
        assertThat(error.error()).isEqualTo("States.QueryEvaluationError");
        return Jsonata.inState(error, "E", 2).cause();
    }

    private static String missing(String field) {
        return PREFIX + "The JSONata expression '$states.input.missing' specified for the field '" + field
                + "' returned nothing (undefined).";
    }

    private static JsonataFields.Completion pass(String assign, String output) {
        return JsonataFields.complete(
                assign == null ? null : json(assign),
                output == null ? null : json(output),
                STATES.get("input"),
                "",
                STATES,
                Scope.EMPTY,
                Sources.SYSTEM);
    }

    @Test
    void anExpressionReturningNothingInEachPosition() {
        assertThat(inE(() -> pass(null, "{\"v\":\"{% $states.input.missing %}\"}")))
                .isEqualTo(missing("Output/v"));
        assertThat(inE(() -> pass(null, "{\"a\":{\"b\":\"{% $states.input.missing %}\"}}")))
                .isEqualTo(missing("Output/a/b"));
        assertThat(inE(() -> pass(null, "\"{% $states.input.missing %}\""))).isEqualTo(missing("Output"));
        assertThat(inE(() -> pass("{\"x\":\"{% $states.input.missing %}\"}", null)))
                .isEqualTo(missing("Assign/x"));
        assertThat(inE(() -> Jsonata.evaluate(
                        "$states.input.missing", "Choices[0]/Condition", STATES, Scope.EMPTY, Sources.SYSTEM)))
                .isEqualTo(missing("Choices[0]/Condition"));
        assertThat(inE(() -> Jsonata.evaluateField(
                        json("\"{% $states.input.missing %}\""), "Seconds", STATES, Scope.EMPTY, Sources.SYSTEM)))
                .isEqualTo(missing("Seconds"));
        assertThat(inE(() -> JsonataFields.arguments(
                        json("{\"QueueUrl\":\"q\",\"MessageBody\":\"{% $states.input.missing %}\"}"),
                        STATES,
                        Scope.EMPTY,
                        Sources.SYSTEM)))
                .isEqualTo(missing("Arguments/MessageBody"));
    }

    @Test
    void anExpressionThatThrows() {
        assertThat(failure(() -> pass(null, "{\"r\":\"{% $eval(\\\"1+1\\\") %}\"}"))
                        .cause())
                .isEqualTo("The JSONata expression '$eval(\"1+1\")' specified for the field 'Output/r' threw an error "
                        + "during evaluation. T1006: Attempted to invoke a non-function");
        assertThat(failure(() -> pass(null, "{\"r\":\"{% [1..900000] ~> $count() %}\"}"))
                        .cause())
                .isEqualTo("The JSONata expression '[1..900000] ~> $count()' specified for the field 'Output/r' threw "
                        + "an error during evaluation: Expression evaluation memory limit exceeded: Check for "
                        + "excessive memory usage");
        String terms = "1" + "+1".repeat(199);
        assertThat(failure(() -> pass(null, "{\"r\":\"{% " + terms + " %}\"}")).cause())
                .isEqualTo("The JSONata expression '" + terms + "' specified for the field 'Output/r' threw an error "
                        + "during evaluation: Stack overflow error: Check for non-terminating recursive function. "
                        + "Consider rewriting as tail-recursive.");
    }

    @Test
    void aJsonNullKeepsItsKey() {
        JsonNode states = JsonataFields.states(json("{\"bar\":null}"), json("{}"), null, null);
        assertThat(JsonataFields.complete(
                                null,
                                json("{\"v\":\"{% $lookup($states.input, 'bar') %}\"}"),
                                null,
                                "",
                                states,
                                Scope.EMPTY,
                                Sources.SYSTEM)
                        .output())
                .isEqualTo(json("{\"v\":null}"));
    }
}
