package dev.patchtide.workflow.jsonata;

import static dev.patchtide.workflow.jsonata.JsonataTest.failure;
import static dev.patchtide.workflow.jsonata.JsonataTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.data.Scope;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonataFieldsTest {
    private static final JsonNode CONTEXT = json("{\"Execution\":{\"Name\":\"run-1\"},\"State\":{\"Name\":\"S\"}}");

    @Test
    void statesHoldsOnlyWhatTheStateHas() {
        JsonNode task = JsonataFields.states(json("{\"a\":1}"), CONTEXT, json("{\"r\":2}"), null);
        assertThat(task.has("result")).isTrue();
        assertThat(task.has("errorOutput")).isFalse();
        JsonNode pass = JsonataFields.states(json("{\"a\":1}"), CONTEXT, null, null);
        StatesError error = failure(() -> JsonataFields.complete(
                null, json("\"{% $states.result %}\""), null, "", pass, Scope.EMPTY, Sources.SYSTEM));
        assertThat(error.cause())
                .isEqualTo("The JSONata expression '$states.result' specified for the field 'Output' returned "
                        + "nothing (undefined).");
    }

    @Test
    void argumentsAreEvaluatedOrTheInputPassedOn() {
        JsonNode states = JsonataFields.states(json("{\"title\":\"Doctor\"}"), CONTEXT, null, null);
        assertThat(JsonataFields.arguments(null, states, Scope.EMPTY, Sources.SYSTEM))
                .isEqualTo(json("{\"title\":\"Doctor\"}"));
        assertThat(JsonataFields.arguments(
                        json("{\"Payload\":\"{% $states.input %}\",\"n\":\"{% $states.context.State.Name %}\"}"),
                        states,
                        Scope.EMPTY,
                        Sources.SYSTEM))
                .isEqualTo(json("{\"Payload\":{\"title\":\"Doctor\"},\"n\":\"S\"}"));
        assertThat(JsonataFields.arguments(json("\"{% $states.input.title %}\""), states, Scope.EMPTY, Sources.SYSTEM))
                .isEqualTo(json("\"Doctor\""));
        StatesError error = failure(() -> JsonataFields.arguments(
                json("{\"Input\":{\"x\":\"{% $states.input.pushLocation %}\"}}"), states, Scope.EMPTY, Sources.SYSTEM));
        assertThat(error.cause()).contains("specified for the field 'Arguments/Input/x' returned nothing");
    }

    @Test
    void outputDefaultsToWhatTheCallerPasses() {
        JsonNode states = JsonataFields.states(json("{\"a\":1}"), CONTEXT, json("{\"r\":2}"), null);
        JsonataFields.Completion completion =
                JsonataFields.complete(null, null, json("{\"r\":2}"), "", states, Scope.EMPTY, Sources.SYSTEM);
        assertThat(completion.output()).isEqualTo(json("{\"r\":2}"));
        assertThat(completion.scope()).isSameAs(Scope.EMPTY);
        JsonataFields.Completion shaped = JsonataFields.complete(
                null,
                json("{\"sum\":\"{% $states.input.a + $states.result.r %}\",\"fixed\":[true,null]}"),
                json("{}"),
                "",
                states,
                Scope.EMPTY,
                Sources.SYSTEM);
        assertThat(shaped.output()).isEqualTo(json("{\"sum\":3,\"fixed\":[true,null]}"));
    }

    @Test
    void assignAndOutputSeeTheVariablesAsTheyWereBeforeTheState() {
        Scope before = Scope.EMPTY.assign(Map.of("a", json("1"), "b", json("2")));
        JsonNode states = JsonataFields.states(json("{\"x\":10}"), CONTEXT, null, null);
        JsonataFields.Completion completion = JsonataFields.complete(
                json(
                        "{\"a\":\"{% $b %}\",\"b\":\"{% $a %}\",\"c\":\"{% $states.input.x %}\",\"d\":{\"k\":[\"{% $a %}\"]}}"),
                json("{\"a\":\"{% $a %}\",\"b\":\"{% $b %}\"}"),
                null,
                "",
                states,
                before,
                Sources.SYSTEM);
        assertThat(completion.output()).isEqualTo(json("{\"a\":1,\"b\":2}"));
        assertThat(completion.scope().lookup("a")).contains(json("2"));
        assertThat(completion.scope().lookup("b")).contains(json("1"));
        assertThat(completion.scope().lookup("c")).contains(json("10"));
        assertThat(completion.scope().lookup("d")).contains(json("{\"k\":[1]}"));
    }

    @Test
    void aCatcherOrAChoiceRuleNamesItsFieldsUnderItsIndex() {
        JsonNode states = JsonataFields.states(json("{}"), CONTEXT, null, json("{\"Error\":\"E\",\"Cause\":\"c\"}"));
        JsonataFields.Completion caught = JsonataFields.complete(
                json("{\"err\":\"{% $states.errorOutput.Error %}\"}"),
                null,
                json("{\"Error\":\"E\",\"Cause\":\"c\"}"),
                "Catch[1]/",
                states,
                Scope.EMPTY,
                Sources.SYSTEM);
        assertThat(caught.output()).isEqualTo(json("{\"Error\":\"E\",\"Cause\":\"c\"}"));
        assertThat(caught.scope().lookup("err")).contains(json("\"E\""));
        StatesError error = failure(() -> JsonataFields.complete(
                json("{\"x\":\"{% $nothing %}\"}"), null, null, "Choices[0]/", states, Scope.EMPTY, Sources.SYSTEM));
        assertThat(error.cause()).contains("specified for the field 'Choices[0]/Assign/x' returned nothing");
    }
}
