package dev.patchtide.workflow.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.workflow.StatesError;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Machines written in JSONata: Arguments, Output, Assign, $states, conditions, and errors as AWS words them. */
class JsonataMachineTest {
    static final String INVOKE = "arn:aws:states:::lambda:invoke";

    @Test
    void outputAndAssignSeeTheVariablesAsTheyWereBeforeTheState() {
        Host host = new Host(
                        """
                {"QueryLanguage":"JSONata","StartAt":"A","States":{
                  "A":{"Type":"Pass","Assign":{"n":1},"Next":"B"},
                  "B":{"Type":"Pass","Assign":{"n":"{% $n + 10 %}"},"Output":{"before":"{% $n %}","in":"{% $states.input.x %}"},"Next":"C"},
                  "C":{"Type":"Pass","Output":"{% {'after': $n, 'prev': $states.input} %}","End":true}}}
                """)
                .start("{\"x\":\"X\"}");
        assertThat(host.output()).isEqualTo(Host.parse("{\"after\":11,\"prev\":{\"before\":1,\"in\":\"X\"}}"));
        assertThat(host.events
                        .get(4)
                        .details()
                        .get("assignedVariables")
                        .get("n")
                        .asText())
                .isEqualTo("11");
    }

    @Test
    void taskArgumentsAndOutputReadStatesInputAndResult() {
        Host host = new Host(
                        """
                {"QueryLanguage":"JSONata","StartAt":"T","States":{
                  "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                    "Arguments":{"FunctionName":"f","Payload":{"v":"{% $states.input.v * 2 %}"}},
                    "Output":"{% $states.result.Payload.v + 1 %}","End":true}}}
                """)
                .task(INVOKE, p -> Host.parse("{\"Payload\":" + p.get("Payload") + "}"))
                .start("{\"v\":4}");
        assertThat(host.output().asInt()).isEqualTo(9);
        assertThat(host.last("TaskScheduled").details().get("parameters").asText())
                .isEqualTo("{\"FunctionName\":\"f\",\"Payload\":{\"v\":8}}");
    }

    @Test
    void catchReadsTheErrorOutputAndAssigns() {
        Host host = new Host(
                        """
                {"QueryLanguage":"JSONata","StartAt":"T","States":{
                  "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                    "Catch":[{"ErrorEquals":["States.ALL"],"Next":"After",
                      "Assign":{"failure":"{% $states.errorOutput.Error %}"},
                      "Output":{"cause":"{% $states.errorOutput.Cause %}","input":"{% $states.input %}"}}],
                    "End":true},
                  "After":{"Type":"Pass","Output":{"failure":"{% $failure %}","was":"{% $states.input %}"},"End":true}}}
                """)
                .task(INVOKE, p -> {
                    throw new StatesError("Lambda.Broken", "nope");
                })
                .start("{\"k\":1}");
        assertThat(host.output())
                .isEqualTo(
                        Host.parse("{\"failure\":\"Lambda.Broken\",\"was\":{\"cause\":\"nope\",\"input\":{\"k\":1}}}"));
    }

    @Test
    void choiceConditionsAndWaitSeconds() {
        Host host = new Host(
                        """
                {"QueryLanguage":"JSONata","StartAt":"C","States":{
                  "C":{"Type":"Choice","Choices":[
                     {"Condition":"{% $states.input.n > 5 %}","Next":"W","Output":{"s":"{% $states.input.n * 2 %}"}}],
                   "Default":"Done"},
                  "W":{"Type":"Wait","Seconds":"{% $states.input.s %}","Next":"Done"},
                  "Done":{"Type":"Succeed"}}}
                """)
                .start("{\"n\":6}");
        assertThat(host.output()).isEqualTo(Host.parse("{\"s\":12}"));
        assertThat(host.fired).containsExactly(Duration.ofSeconds(12));
    }

    @Test
    void mapItemsAndItemSelectorReadTheItemContext() {
        Host host = new Host(
                        """
                {"QueryLanguage":"JSONata","StartAt":"M","States":{
                  "M":{"Type":"Map","Items":"{% $states.input.list %}",
                    "ItemSelector":{"value":"{% $states.context.Map.Item.Value %}","index":"{% $states.context.Map.Item.Index %}"},
                    "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.input.value & $states.input.index %}","End":true}}},
                    "Output":"{% $join($states.result, ',') %}","End":true}}}
                """)
                .start("{\"list\":[\"a\",\"b\"]}");
        assertThat(host.output().asText()).isEqualTo("a0,b1");
    }

    @Test
    void aFailingExpressionFailsWithQueryEvaluationErrorNamingTheStateAndField() {
        Host host = new Host(
                        """
                {"QueryLanguage":"JSONata","StartAt":"P","States":{
                  "P":{"Type":"Pass","Output":{"v":"{% $states.input.missing %}"},"End":true}}}
                """)
                .start("{}");
        Outcome.Failed failed = host.failure();
        assertThat(failed.error()).isEqualTo("States.QueryEvaluationError");
        assertThat(failed.cause())
                .isEqualTo("An error occurred while executing the state 'P' (entered at the event id #2). "
                        + "The JSONata expression '$states.input.missing' specified for the field 'Output/v' "
                        + "returned nothing (undefined).");
    }

    @Test
    void failStateTakesItsErrorAndCauseFromExpressions() {
        Host host = new Host(
                        """
                {"QueryLanguage":"JSONata","StartAt":"F","States":{
                  "F":{"Type":"Fail","Error":"{% 'Custom.' & $states.input.kind %}","Cause":"{% $string($states.input.n) %}"}}}
                """)
                .start("{\"kind\":\"Bad\",\"n\":3}");
        assertThat(host.failure()).isEqualTo(new Outcome.Failed("Custom.Bad", "3"));
    }

    @Test
    void parallelBranchesSeeArgumentsAndOuterVariables() {
        Host host = new Host(
                        """
                {"QueryLanguage":"JSONata","StartAt":"A","States":{
                  "A":{"Type":"Pass","Assign":{"base":100},"Next":"P"},
                  "P":{"Type":"Parallel","Arguments":{"v":"{% $states.input.v %}"},"Branches":[
                    {"StartAt":"B1","States":{"B1":{"Type":"Pass","Output":"{% $states.input.v + $base %}","End":true}}},
                    {"StartAt":"B2","States":{"B2":{"Type":"Pass","Output":"{% $states.input.v - $base %}","End":true}}}],
                   "Output":"{% $sum($states.result) %}","End":true}}}
                """)
                .start("{\"v\":1}");
        assertThat(host.output().asInt()).isEqualTo(2);
    }
}
