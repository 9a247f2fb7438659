package dev.patchtide.workflow.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.patchtide.workflow.StatesError;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Task states: the three families of events, Retry back-off, Catch, timeouts and heartbeats. */
class TaskStateTest {
    static final String INVOKE = "arn:aws:states:::lambda:invoke";

    @Test
    void serviceIntegrationRunsWithResultSelectorResultPathAndOutputPath() {
        Host host = new Host(
                        """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                  "Parameters":{"FunctionName":"f","Payload.$":"$.in"},
                  "ResultSelector":{"body.$":"$.Payload"},"ResultPath":"$.res","OutputPath":"$.res.body","End":true}}}
                """)
                .task(INVOKE, p -> Host.parse("{\"Payload\":{\"echo\":" + p.get("Payload") + "},\"StatusCode\":200}"))
                .start("{\"in\":7}");
        assertThat(host.output()).isEqualTo(Host.parse("{\"echo\":7}"));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "TaskStateEntered",
                        "TaskScheduled",
                        "TaskStarted",
                        "TaskSucceeded",
                        "TaskStateExited",
                        "ExecutionSucceeded");
        HistoryEvent scheduled = host.last("TaskScheduled");
        assertThat(scheduled.detailsKey()).isEqualTo("taskScheduledEventDetails");
        assertThat(scheduled.details().get("resourceType").asText()).isEqualTo("lambda");
        assertThat(scheduled.details().get("resource").asText()).isEqualTo("invoke");
        assertThat(scheduled.details().get("region").asText()).isEqualTo("eu-west-1");
        assertThat(scheduled.details().get("parameters").asText()).isEqualTo("{\"FunctionName\":\"f\",\"Payload\":7}");
        assertThat(host.scheduled.getFirst().pattern()).isEqualTo(Effect.Pattern.REQUEST_RESPONSE);
        for (int i = 2; i < host.events.size(); i++) {
            assertThat(host.events.get(i).previousEventId())
                    .isEqualTo(host.events.get(i - 1).id());
        }
    }

    @Test
    void lambdaFunctionArnWritesLambdaFunctionEvents() {
        String arn = "arn:aws:lambda:eu-west-1:123456789012:function:echo";
        Host host = new Host(
                        """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"%s","End":true}}}
                """
                                .formatted(arn))
                .task(arn, p -> p)
                .start("{\"a\":1}");
        assertThat(host.output()).isEqualTo(Host.parse("{\"a\":1}"));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "TaskStateEntered",
                        "LambdaFunctionScheduled",
                        "LambdaFunctionStarted",
                        "LambdaFunctionSucceeded",
                        "TaskStateExited",
                        "ExecutionSucceeded");
        assertThat(host.last("LambdaFunctionScheduled")
                        .details()
                        .get("resource")
                        .asText())
                .isEqualTo(arn);
    }

    @Test
    void activityWaitsForAWorkerAndItsAnswer() {
        String arn = "arn:aws:states:eu-west-1:123456789012:activity:approve";
        Host host = new Host(
                        """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"%s","HeartbeatSeconds":30,"End":true}}}
                """
                                .formatted(arn))
                .start("{\"a\":1}");
        Effect.RunTask task = host.scheduled.getFirst();
        assertThat(task.pattern()).isEqualTo(Effect.Pattern.ACTIVITY);
        assertThat(task.taskToken()).contains("token-1");
        host.signal(new Signal.TaskStarted(task.taskId(), "worker-7"));
        host.signal(new Signal.TaskHeartbeat(task.taskId()));
        host.signal(new Signal.TaskSucceeded(task.taskId(), Host.parse("{\"ok\":true}")));
        assertThat(host.output()).isEqualTo(Host.parse("{\"ok\":true}"));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "TaskStateEntered",
                        "ActivityScheduled",
                        "ActivityStarted",
                        "ActivitySucceeded",
                        "TaskStateExited",
                        "ExecutionSucceeded");
        assertThat(host.last("ActivityStarted").details().get("workerName").asText())
                .isEqualTo("worker-7");
        assertThat(host.last("ActivityScheduled")
                        .details()
                        .get("heartbeatInSeconds")
                        .asLong())
                .isEqualTo(30);
        assertThat(host.timers).isEmpty();
    }

    @Test
    void retryBacksOffByRateCappedByMaxDelayThenFails() {
        AtomicInteger calls = new AtomicInteger();
        Host host = new Host(
                        """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                  "Retry":[{"ErrorEquals":["Other"],"MaxAttempts":5},
                           {"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3,"MaxDelaySeconds":10}],
                  "End":true}}}
                """)
                .task(INVOKE, p -> {
                    calls.incrementAndGet();
                    throw new StatesError("Lambda.Unknown", "boom");
                })
                .start("{}");
        assertThat(calls).hasValue(4);
        // 2 s, then 6 s, then 18 s capped to 10 s
        assertThat(host.fired).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(8), Duration.ofSeconds(18));
        assertThat(host.failure()).isEqualTo(new Outcome.Failed("Lambda.Unknown", "boom"));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "TaskStateEntered",
                        "TaskScheduled",
                        "TaskStarted",
                        "TaskFailed",
                        "TaskScheduled",
                        "TaskStarted",
                        "TaskFailed",
                        "TaskScheduled",
                        "TaskStarted",
                        "TaskFailed",
                        "TaskScheduled",
                        "TaskStarted",
                        "TaskFailed",
                        "ExecutionFailed");
        assertThat(host.last("TaskFailed").details().get("error").asText()).isEqualTo("Lambda.Unknown");
    }

    @Test
    void fullJitterScalesTheDelayByTheEnvironmentsRandom() {
        AtomicInteger calls = new AtomicInteger();
        Host host = new Host(
                        """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                  "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":10,"MaxAttempts":1,"JitterStrategy":"FULL"}],
                  "End":true}}}
                """)
                .task(INVOKE, p -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new StatesError("E", "first");
                    }
                    return TextNode.valueOf("second");
                });
        host.random = 0.25;
        host.start("{}");
        assertThat(host.fired).containsExactly(Duration.ofMillis(2500));
        assertThat(host.output().asText()).isEqualTo("second");
    }

    @Test
    void retryCountIsInTheContextObject() {
        AtomicInteger calls = new AtomicInteger();
        Host host = new Host(
                        """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                  "Parameters":{"attempt.$":"$$.State.RetryCount"},
                  "Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":2}],"End":true}}}
                """)
                .task(INVOKE, p -> {
                    if (calls.incrementAndGet() < 3) {
                        throw new StatesError("E", "again");
                    }
                    return p;
                })
                .start("{}");
        assertThat(host.output()).isEqualTo(Host.parse("{\"attempt\":2}"));
    }

    @Test
    void catchPlacesErrorOutputAtResultPathAndGoesOn() {
        Host host = new Host(
                        """
                {"StartAt":"T","States":{
                  "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
                    "Retry":[{"ErrorEquals":["States.Timeout"],"MaxAttempts":3}],
                    "Catch":[{"ErrorEquals":["Nope"],"Next":"X"},{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"Handled"}],
                    "End":true},
                  "X":{"Type":"Fail"},
                  "Handled":{"Type":"Pass","End":true}}}
                """)
                .task(INVOKE, p -> {
                    throw new StatesError("Custom", "bad input");
                })
                .start("{\"k\":1}");
        assertThat(host.output())
                .isEqualTo(Host.parse("{\"k\":1,\"err\":{\"Error\":\"Custom\",\"Cause\":\"bad input\"}}"));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "TaskStateEntered",
                        "TaskScheduled",
                        "TaskStarted",
                        "TaskFailed",
                        "TaskStateExited",
                        "PassStateEntered",
                        "PassStateExited",
                        "ExecutionSucceeded");
        assertThat(host.fired).isEmpty();
    }

    @Test
    void timeoutCancelsTheTaskAndFailsWithStatesTimeout() {
        Host host = new Host(
                        """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::ecs:runTask.sync",
                  "TimeoutSeconds":60,"Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Never"}],"End":true},
                  "Never":{"Type":"Succeed"}}}
                """)
                .start("{}");
        Effect.RunTask task = host.scheduled.getFirst();
        assertThat(task.pattern()).isEqualTo(Effect.Pattern.RUN_JOB);
        assertThat(task.resource()).isEqualTo("arn:aws:states:::ecs:runTask");
        host.signal(new Signal.TaskStarted(task.taskId(), null));
        host.signal(new Signal.TaskSubmitted(task.taskId(), Host.parse("{\"taskArn\":\"x\"}")));
        host.held.clear();
        host.settle();
        assertThat(host.fired).containsExactly(Duration.ofSeconds(60));
        assertThat(host.failure().error()).isEqualTo("States.Timeout");
        assertThat(host.effects).contains(new Effect.CancelTask(task.taskId()));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "TaskStateEntered",
                        "TaskScheduled",
                        "TaskStarted",
                        "TaskSubmitted",
                        "TaskTimedOut",
                        "ExecutionFailed");
        assertThat(host.last("TaskScheduled").details().get("resource").asText())
                .isEqualTo("runTask.sync");
        assertThat(host.last("TaskScheduled").details().get("timeoutInSeconds").asLong())
                .isEqualTo(60);
    }

    @Test
    void heartbeatsKeepATaskAliveUntilTheyStop() {
        Host host = new Host(
                        """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sns:publish.waitForTaskToken",
                  "HeartbeatSeconds":10,"End":true}}}
                """)
                .start("{}");
        Effect.RunTask task = host.scheduled.getFirst();
        host.now = Host.T0.plusSeconds(8);
        host.signal(new Signal.TaskHeartbeat(task.taskId()));
        host.held.clear();
        host.settle();
        assertThat(host.fired).containsExactly(Duration.ofSeconds(18));
        // AWS records a missed heartbeat as States.Timeout, without a cause
        assertThat(host.failure().error()).isEqualTo("States.Timeout");
        assertThat(host.last("TaskTimedOut").details().get("error").asText()).isEqualTo("States.Timeout");
        assertThat(host.last("TaskTimedOut").details().has("cause")).isFalse();
        assertThat(host.last("ExecutionFailed").details().has("cause")).isFalse();
    }

    @Test
    void signalsForATaskThatEndedAreIgnored() {
        Host host = new Host(
                        """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sns:publish.waitForTaskToken","End":true}}}
                """)
                .start("{}");
        String taskId = host.scheduled.getFirst().taskId();
        host.signal(new Signal.TaskSucceeded(taskId, Host.parse("1")));
        int count = host.events.size();
        host.outcome = null;
        host.signal(new Signal.TaskFailed(taskId, "Late", "late"));
        assertThat(host.events).hasSize(count);
        assertThat(host.outcome).isNull();
    }
}
