package dev.patchtide.workflow.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.patchtide.workflow.StatesError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parallel and Map: outputs in order, concurrency, failures that abort the rest, tolerated failures. */
class FanStatesTest {
    static final String INVOKE = "arn:aws:states:::lambda:invoke";

    @Test
    void parallelOutputsEachBranchsResultInBranchOrder() {
        Host host = new Host(
                        """
                {"StartAt":"P","States":{"P":{"Type":"Parallel","ResultPath":"$.both","End":true,"Branches":[
                  {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"Next":"A"},"A":{"Type":"Pass","Result":"a","End":true}}},
                  {"StartAt":"B","States":{"B":{"Type":"Pass","Result":"b","End":true}}}]}}}
                """)
                .start("{\"x\":1}");
        assertThat(host.output()).isEqualTo(Host.parse("{\"x\":1,\"both\":[\"a\",\"b\"]}"));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "ParallelStateEntered",
                        "ParallelStateStarted",
                        "WaitStateEntered",
                        "PassStateEntered",
                        "PassStateExited",
                        "WaitStateExited",
                        "PassStateEntered",
                        "PassStateExited",
                        "ParallelStateSucceeded",
                        "ParallelStateExited",
                        "ExecutionSucceeded");
        long started = host.last("ParallelStateStarted").id();
        assertThat(host.events.get(3).previousEventId()).isEqualTo(started);
        assertThat(host.events.get(4).previousEventId()).isEqualTo(started);
    }

    @Test
    void aFailingBranchAbortsTheOthersAndItsErrorIsTheStates() {
        Host host = new Host(
                        """
                {"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
                  "Catch":[{"ErrorEquals":["Branch.Broke"],"Next":"Caught"}],"Branches":[
                  {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}},
                  {"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"Next":"F"},"F":{"Type":"Fail","Error":"Branch.Broke","Cause":"no"}}}]},
                  "Caught":{"Type":"Pass","End":true}}}
                """)
                .start("{}");
        host.held.clear();
        host.settle();
        assertThat(host.output()).isEqualTo(Host.parse("{\"Error\":\"Branch.Broke\",\"Cause\":\"no\"}"));
        assertThat(host.effects)
                .contains(new Effect.CancelTask(host.scheduled.getFirst().taskId()));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "ParallelStateEntered",
                        "ParallelStateStarted",
                        "TaskStateEntered",
                        "TaskScheduled",
                        "WaitStateEntered",
                        "WaitStateExited",
                        "FailStateEntered",
                        "TaskStateAborted",
                        "ParallelStateFailed",
                        "ParallelStateExited",
                        "PassStateEntered",
                        "PassStateExited",
                        "ExecutionSucceeded");
    }

    @Test
    void mapRunsEachItemThroughItemSelectorAndKeepsItemOrder() {
        Host host = new Host(
                        """
                {"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",
                  "ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","k.$":"$.k"},
                  "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
                  "End":true}}}
                """)
                .start("{\"k\":\"K\",\"items\":[\"a\",\"b\"]}");
        assertThat(host.output())
                .isEqualTo(Host.parse("[{\"i\":0,\"v\":\"a\",\"k\":\"K\"},{\"i\":1,\"v\":\"b\",\"k\":\"K\"}]"));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "MapStateEntered",
                        "MapStateStarted",
                        "MapIterationStarted",
                        "PassStateEntered",
                        "PassStateExited",
                        "MapIterationSucceeded",
                        "MapIterationStarted",
                        "PassStateEntered",
                        "PassStateExited",
                        "MapIterationSucceeded",
                        "MapStateSucceeded",
                        "MapStateExited",
                        "ExecutionSucceeded");
        assertThat(host.last("MapStateStarted").details().get("length").asInt()).isEqualTo(2);
        assertThat(host.last("MapIterationSucceeded").details().get("name").asText())
                .isEqualTo("M");
        assertThat(host.last("MapIterationSucceeded").details().get("index").asInt())
                .isEqualTo(1);
    }

    @Test
    void mapOfNothingSucceedsWithAnEmptyArray() {
        Host host = new Host(
                        """
                {"StartAt":"M","States":{"M":{"Type":"Map",
                  "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}
                """)
                .start("[]");
        assertThat(host.output()).isEqualTo(Host.parse("[]"));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "MapStateEntered",
                        "MapStateStarted",
                        "MapStateSucceeded",
                        "MapStateExited",
                        "ExecutionSucceeded");
    }

    @Test
    void maxConcurrencyStartsAnIterationOnlyWhenAnotherEnds() {
        List<Integer> order = new ArrayList<>();
        Host host = new Host(
                        """
                {"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":2,
                  "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
                  "End":true}}}
                """)
                .start("[1,2,3,4,5]");
        assertThat(host.held).hasSize(2);
        while (!host.held.isEmpty()) {
            Effect.RunTask task = host.held.values().iterator().next();
            host.held.remove(task.taskId());
            order.add(task.parameters().asInt());
            host.signal(new Signal.TaskSucceeded(
                    task.taskId(), IntNode.valueOf(task.parameters().asInt() * 10)));
            assertThat(host.held.size()).isLessThanOrEqualTo(2);
        }
        assertThat(order).containsExactly(1, 2, 3, 4, 5);
        assertThat(host.output()).isEqualTo(Host.parse("[10,20,30,40,50]"));
    }

    @Test
    void aFailingIterationFailsAnInlineMapWithItsError() {
        Host host = new Host(
                        """
                {"StartAt":"M","States":{"M":{"Type":"Map",
                  "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
                  "End":true}}}
                """)
                .task(INVOKE, p -> {
                    if (p.asInt() == 2) {
                        throw new StatesError("Item.Bad", "two");
                    }
                    return p;
                })
                .start("[1,2,3]");
        assertThat(host.failure()).isEqualTo(new Outcome.Failed("Item.Bad", "two"));
        assertThat(host.types()).contains("MapIterationFailed", "MapStateFailed");
        assertThat(host.types()).doesNotContain("MapStateSucceeded");
    }

    @Test
    void toleratedFailuresLetAMapSucceedUntilTheThresholdIsPassed() {
        String definition =
                """
                {"StartAt":"M","States":{"M":{"Type":"Map","ToleratedFailureCount":1,
                  "ItemProcessor":{"StartAt":"C","States":{
                    "C":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":2,"Next":"Bad"}],"Default":"Ok"},
                    "Bad":{"Type":"Fail","Error":"Too.Big","Cause":"big"},
                    "Ok":{"Type":"Pass","End":true}}},
                  "End":true}}}
                """;
        Host one = new Host(definition).start("[1,2,3]");
        assertThat(one.output()).isEqualTo(Host.parse("[1,2,{\"Error\":\"Too.Big\",\"Cause\":\"big\"}]"));
        Host two = new Host(definition).start("[1,3,4]");
        assertThat(two.failure().error()).isEqualTo("States.ExceedToleratedFailureThreshold");
    }

    @Test
    void itemBatcherGroupsItemsWithTheBatchInput() {
        Host host = new Host(
                        """
                {"StartAt":"M","States":{"M":{"Type":"Map",
                  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                    "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
                  "ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"tag":"t"}},
                  "End":true}}}
                """)
                .start("[1,2,3]");
        assertThat(host.output())
                .isEqualTo(
                        Host.parse(
                                "[{\"BatchInput\":{\"tag\":\"t\"},\"Items\":[1,2]},{\"BatchInput\":{\"tag\":\"t\"},\"Items\":[3]}]"));
    }

    @Test
    void retriedParallelStartsItsBranchesAgain() {
        Host host = new Host(
                        """
                {"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
                  "Retry":[{"ErrorEquals":["States.ALL"],"IntervalSeconds":3,"MaxAttempts":1}],"Branches":[
                  {"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E"}}}]}}}
                """)
                .start("{}");
        assertThat(host.failure().error()).isEqualTo("E");
        assertThat(host.fired).containsExactly(Duration.ofSeconds(3));
        assertThat(host.types())
                .containsExactly(
                        "ExecutionStarted",
                        "ParallelStateEntered",
                        "ParallelStateStarted",
                        "FailStateEntered",
                        "ParallelStateFailed",
                        "ParallelStateStarted",
                        "FailStateEntered",
                        "ParallelStateFailed",
                        "ExecutionFailed");
    }

    @Test
    void branchesReadOuterVariables() {
        Host host = new Host(
                        """
                {"StartAt":"A","States":{
                  "A":{"Type":"Pass","Assign":{"outer":"o"},"Next":"M"},
                  "M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{
                     "P":{"Type":"Pass","Parameters":{"o.$":"$outer","v.$":"$"},"End":true}}},"End":true}}}
                """)
                .start("[1]");
        assertThat(host.output()).isEqualTo(Host.parse("[{\"o\":\"o\",\"v\":1}]"));
    }
}
