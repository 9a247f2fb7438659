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
                        "MapIterationStarted",
                        "PassStateEntered",
                        "PassStateExited",
                        "MapIterationSucceeded",
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
    void oneAtATimeMapChainsEventsAsAwsRecordsThem() {
        Host host = new Host(
                        """
                {"StartAt":"M","States":{"M":{"Type":"Map","MaxConcurrency":1,
                  "ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}
                """)
                .start("[1,2]");
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
        // ids 1..14; the second iteration starts after the first one's last state event, not its Succeeded event
        assertThat(host.events.stream().map(HistoryEvent::previousEventId).toList())
                .containsExactly(0L, 0L, 2L, 3L, 4L, 5L, 6L, 6L, 8L, 9L, 10L, 11L, 11L, 13L);
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
    void aFailingIterationAbortsTheRunningOnesAndCancelsTheirTasks() {
        Host host = new Host(
                        """
                {"StartAt":"M","States":{"M":{"Type":"Map",
                  "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}},
                  "End":true}}}
                """)
                .start("[1,2,3]");
        assertThat(host.held).hasSize(3);
        List<Effect.RunTask> tasks = List.copyOf(host.scheduled);
        host.signal(new Signal.TaskFailed(tasks.get(1).taskId(), "Item.Bad", "two"));
        assertThat(host.failure()).isEqualTo(new Outcome.Failed("Item.Bad", "two"));
        assertThat(host.effects)
                .contains(
                        new Effect.CancelTask(tasks.get(0).taskId()),
                        new Effect.CancelTask(tasks.get(2).taskId()));
        assertThat(host.types()
                        .subList(
                                host.types().indexOf("TaskFailed"), host.types().size()))
                .containsExactly(
                        "TaskFailed",
                        "MapIterationFailed",
                        "TaskStateAborted",
                        "MapIterationAborted",
                        "TaskStateAborted",
                        "MapIterationAborted",
                        "MapStateFailed",
                        "ExecutionFailed");
        // a late answer for an aborted iteration changes nothing
        int count = host.events.size();
        host.outcome = null;
        host.signal(new Signal.TaskSucceeded(tasks.get(0).taskId(), Host.parse("1")));
        assertThat(host.events).hasSize(count);
    }

    @Test
    void stopCancelsEveryBranchsTask() {
        Host host = new Host(
                        """
                {"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
                  {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","End":true}}},
                  {"StartAt":"B","States":{"B":{"Type":"Wait","Seconds":100,"End":true}}}]}}}
                """)
                .start("{}");
        assertThat(host.held).hasSize(1);
        assertThat(host.timers).hasSize(1);
        host.signal(new Signal.Stop("Stopped", "by hand"));
        assertThat(host.outcome).isEqualTo(new Outcome.Aborted("Stopped", "by hand"));
        assertThat(host.held).isEmpty();
        assertThat(host.timers).isEmpty();
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
    void branchesShareTheirInputWithoutSeeingEachOthersChanges() {
        Host host = new Host(
                        """
                {"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
                  {"StartAt":"A","States":{"A":{"Type":"Pass","Result":1,"ResultPath":"$.a","End":true}}},
                  {"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}]}}}
                """)
                .start("{\"k\":0}");
        assertThat(host.output()).isEqualTo(Host.parse("[{\"k\":0,\"a\":1},{\"k\":0}]"));
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
