package dev.patchtide.workflow.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Pass, Choice, Wait, Succeed and Fail: outputs, errors and the exact history each writes. */
class FlowStatesTest {
    @Test
    void passChainRunsInOneStepWithTheHistoryAwsWrites() {
        Host host = new Host(
                        """
                {"StartAt":"A","States":{
                  "A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","Next":"B"},
                  "B":{"Type":"Pass","Parameters":{"v.$":"$.r.x","name.$":"$$.Execution.Name","in.$":"$.k"},"End":true}}}
                """)
                .start("{\"k\":\"v\"}");
        assertThat(host.output()).isEqualTo(Host.parse("{\"v\":1,\"name\":\"run-1\",\"in\":\"v\"}"));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "PassStateEntered",
                        "PassStateExited",
                        "PassStateEntered",
                        "PassStateExited",
                        "ExecutionSucceeded");
        assertThat(host.events.get(1).previousEventId()).isZero();
        assertThat(host.events.get(2).previousEventId()).isEqualTo(2);
        assertThat(host.events.get(2).details().get("output").asText()).isEqualTo("{\"k\":\"v\",\"r\":{\"x\":1}}");
        assertThat(host.events.get(1).details().get("input").asText()).isEqualTo("{\"k\":\"v\"}");
        assertThat(host.events.getLast().details().get("output").asText())
                .isEqualTo(host.output().toString());
    }

    @Test
    void nullResultPathKeepsTheRawInputForOutputPath() {
        Host host = new Host(
                        """
                {"StartAt":"A","States":{
                  "A":{"Type":"Pass","InputPath":"$.a","Result":"dropped","ResultPath":null,"OutputPath":"$.a.b","End":true}}}
                """)
                .start("{\"a\":{\"b\":[1,2]}}");
        assertThat(host.output()).isEqualTo(Host.parse("[1,2]"));
    }

    @Test
    void choiceTakesTheFirstMatchingRuleOrTheDefault() {
        String definition =
                """
                {"StartAt":"C","States":{
                  "C":{"Type":"Choice","Choices":[
                     {"Variable":"$.n","NumericGreaterThan":10,"Next":"Big"},
                     {"Variable":"$.n","NumericGreaterThan":5,"Next":"Mid"}],"Default":"Small"},
                  "Big":{"Type":"Pass","Result":"big","End":true},
                  "Mid":{"Type":"Pass","Result":"mid","End":true},
                  "Small":{"Type":"Succeed"}}}
                """;
        assertThat(new Host(definition).start("{\"n\":20}").output().asText()).isEqualTo("big");
        assertThat(new Host(definition).start("{\"n\":7}").output().asText()).isEqualTo("mid");
        Host small = new Host(definition).start("{\"n\":1}");
        assertThat(small.output()).isEqualTo(Host.parse("{\"n\":1}"));
        assertThat(small.types())
                .containsExactly(
                        "ExecutionStarted",
                        "ChoiceStateEntered",
                        "ChoiceStateExited",
                        "SucceedStateEntered",
                        "SucceedStateExited",
                        "ExecutionSucceeded");
    }

    @Test
    void choiceWithoutMatchOrDefaultFailsWithNoChoiceMatched() {
        Host host = new Host(
                        """
                {"StartAt":"C","States":{
                  "C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":1,"Next":"D"}]},
                  "D":{"Type":"Succeed"}}}
                """)
                .start("{\"n\":2}");
        assertThat(host.failure().error()).isEqualTo("States.NoChoiceMatched");
        assertThat(host.types()).containsExactly("ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed");
    }

    @Test
    void waitStartsATimerAndExitsWhenItFires() {
        Host host = new Host(
                        """
                {"StartAt":"W","States":{
                  "W":{"Type":"Wait","SecondsPath":"$.s","Next":"P"},
                  "P":{"Type":"Pass","End":true}}}
                """)
                .start("{\"s\":30}");
        assertThat(host.output()).isEqualTo(Host.parse("{\"s\":30}"));
        assertThat(host.fired).containsExactly(Duration.ofSeconds(30));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "WaitStateEntered",
                        "WaitStateExited",
                        "PassStateEntered",
                        "PassStateExited",
                        "ExecutionSucceeded");
        assertThat(host.last("WaitStateExited").timestamp()).isEqualTo(Host.T0.plusSeconds(30));
    }

    @Test
    void waitForATimestampInThePastGoesOnWithoutATimer() {
        Host host = new Host(
                        """
                {"StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"2020-01-01T00:00:00Z","End":true}}}
                """)
                .start("{}");
        assertThat(host.fired).isEmpty();
        assertThat(host.types())
                .containsExactly("ExecutionStarted", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded");
    }

    @Test
    void waitForATimestampInTheFutureWaitsUntilThen() {
        Host host = new Host(
                        """
                {"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.at","End":true}}}
                """)
                .start("{\"at\":\"2026-01-01T01:00:00Z\"}");
        assertThat(host.fired).containsExactly(Duration.ofHours(1));
        assertThat(host.outcome).isInstanceOf(Outcome.Succeeded.class);
    }

    @Test
    void failStateFailsTheExecutionWithItsErrorAndCause() {
        Host host = new Host(
                        """
                {"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e","Cause":"it broke"}}}
                """)
                .start("{\"e\":\"Custom.Error\"}");
        assertThat(host.failure()).isEqualTo(new Outcome.Failed("Custom.Error", "it broke"));
        assertThat(host.types()).containsExactly("ExecutionStarted", "FailStateEntered", "ExecutionFailed");
        assertThat(host.last("ExecutionFailed").details().get("error").asText()).isEqualTo("Custom.Error");
        assertThat(host.last("ExecutionFailed").details().get("cause").asText()).isEqualTo("it broke");
    }

    @Test
    void aMissingPathIsARuntimeErrorThatFailsTheExecution() {
        Host host = new Host(
                        """
                {"StartAt":"P","States":{"P":{"Type":"Pass","InputPath":"$.missing","End":true}}}
                """)
                .start("{}");
        assertThat(host.failure())
                .isEqualTo(new Outcome.Failed(
                        "States.Runtime",
                        "An error occurred while executing the state 'P' (entered at the event id #2). "
                                + "Invalid path '$.missing' : No results for path: $['missing']"));
        assertThat(host.types()).containsExactly("ExecutionStarted", "PassStateEntered", "ExecutionFailed");
    }

    @Test
    void variablesAssignedByOneStateAreReadByTheNext() {
        Host host = new Host(
                        """
                {"StartAt":"A","States":{
                  "A":{"Type":"Pass","Result":{"n":5},"Assign":{"count.$":"$.n","label":"fixed"},"Next":"B"},
                  "B":{"Type":"Pass","Parameters":{"c.$":"$count","l.$":"$label"},"End":true}}}
                """)
                .start("{}");
        assertThat(host.output()).isEqualTo(Host.parse("{\"c\":5,\"l\":\"fixed\"}"));
        HistoryEvent exited = host.events.get(2);
        assertThat(exited.details().get("assignedVariables").get("count").asText())
                .isEqualTo("5");
        assertThat(exited.details().get("assignedVariables").get("label").asText())
                .isEqualTo("\"fixed\"");
    }

    @Test
    void executionTimeoutEndsAWaitingExecution() {
        Host host = new Host(
                        """
                {"StartAt":"W","TimeoutSeconds":10,"States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}
                """)
                .start("{}");
        assertThat(host.outcome).isEqualTo(new Outcome.TimedOut("States.Timeout", null));
        assertThat(host.types()).containsExactly("ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut");
        assertThat(host.timers).isEmpty();
        assertThat(host.fired).containsExactly(Duration.ofSeconds(10));
    }

    @Test
    void stopAbortsAWaitingExecution() {
        Host host = new Host(
                        """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                  "Parameters":{"token.$":"$$.Task.Token"},"End":true}}}
                """)
                .start("{}");
        assertThat(host.held).hasSize(1);
        assertThat(host.scheduled.getFirst().parameters().get("token").asText()).isEqualTo("token-1");
        host.signal(new Signal.Stop("Manual", "stopped by the test"));
        assertThat(host.outcome).isEqualTo(new Outcome.Aborted("Manual", "stopped by the test"));
        assertThat(host.effects)
                .contains(new Effect.CancelTask(host.scheduled.getFirst().taskId()));
        assertThat(host.types().getLast()).isEqualTo("ExecutionAborted");
    }
}
