package dev.patchtide.workflow.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.definition.Definitions;
import dev.patchtide.workflow.definition.StateMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-memory runner EXPRESS executions, TestState and the bench use. */
class LocalRunnerTest {
    static StateMachine parse(String json) throws Exception {
        return Definitions.parse(json);
    }

    /** A clock the runner's waiter moves; also the run's Environment. */
    static final class Clock implements Environment {
        Instant now = Host.T0;
        final List<Instant> waits = new ArrayList<>();

        @Override
        public Instant now() {
            return now;
        }

        @Override
        public String newTaskToken() {
            return "token";
        }

        @Override
        public String newUuid() {
            return "uuid";
        }

        @Override
        public double random() {
            return 0.5;
        }

        void waitUntil(Instant due) {
            waits.add(due);
            now = due;
        }
    }

    @Test
    void runsTasksRetriesAndWaitsToTheEnd() throws Exception {
        StateMachine machine = parse(
                """
                {"StartAt":"T","States":{
                  "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultPath":"$.r",
                    "Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":2}],"Next":"W"},
                  "W":{"Type":"Wait","Seconds":5,"End":true}}}
                """);
        Clock clock = new Clock();
        int[] calls = {0};
        LocalRunner.Result result = new LocalRunner(machine)
                .run(
                        Host.parse("{\"a\":1}"),
                        Host.context(),
                        clock,
                        task -> {
                            if (calls[0]++ == 0) {
                                throw new StatesError("Flaky", "once");
                            }
                            return IntNode.valueOf(42);
                        },
                        clock::waitUntil);
        assertThat(result.outcome()).isEqualTo(new Outcome.Succeeded(Host.parse("{\"a\":1,\"r\":42}")));
        assertThat(clock.waits).containsExactly(Host.T0.plusSeconds(2), Host.T0.plusSeconds(7));
        assertThat(result.events().stream().map(HistoryEvent::type).toList())
                .containsExactly(
                        "ExecutionStarted",
                        "TaskStateEntered",
                        "TaskScheduled",
                        "TaskStarted",
                        "TaskFailed",
                        "TaskScheduled",
                        "TaskStarted",
                        "TaskSucceeded",
                        "TaskStateExited",
                        "WaitStateEntered",
                        "WaitStateExited",
                        "ExecutionSucceeded");
        assertThat(result.events().stream().map(HistoryEvent::id).toList())
                .isEqualTo(
                        java.util.stream.LongStream.rangeClosed(1, 12).boxed().toList());
    }

    @Test
    void aHandlersExceptionFailsTheTaskWithItsClassName() throws Exception {
        StateMachine machine = parse(
                """
                {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}
                """);
        Clock clock = new Clock();
        LocalRunner.Result result = new LocalRunner(machine)
                .run(
                        Host.parse("{}"),
                        Host.context(),
                        clock,
                        task -> {
                            throw new IllegalStateException("broken");
                        },
                        clock::waitUntil);
        assertThat(result.outcome()).isEqualTo(new Outcome.Failed("IllegalStateException", "broken"));
    }

    @Test
    void aLoopOfManyTransitionsRunsInMemory() throws Exception {
        StateMachine machine = parse(
                """
                {"StartAt":"Check","States":{
                  "Check":{"Type":"Choice","Choices":[{"Variable":"$.i","NumericGreaterThanEquals":20000,"Next":"Done"}],"Default":"Inc"},
                  "Inc":{"Type":"Pass","Parameters":{"i.$":"States.MathAdd($.i, 1)"},"Next":"Check"},
                  "Done":{"Type":"Succeed"}}}
                """);
        Clock clock = new Clock();
        LocalRunner runner = new LocalRunner(machine);
        long started = System.nanoTime();
        LocalRunner.Result result =
                runner.run(Host.parse("{\"i\":0}"), Host.context(), clock, task -> null, clock::waitUntil);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(result.outcome()).isEqualTo(new Outcome.Succeeded(Host.parse("{\"i\":20000}")));
        // started, 20000 × (Choice, Pass) entered and exited, the last Choice, Succeed, succeeded
        assertThat(result.events().size()).isEqualTo(1 + 4 * 20000 + 2 + 2 + 1);
        System.out.printf("40002 states in %d ms%n", took.toMillis());

        LocalRunner quiet = new LocalRunner(machine, false);
        for (int round = 0; round < 3; round++) {
            started = System.nanoTime();
            LocalRunner.Result again =
                    quiet.run(Host.parse("{\"i\":0}"), Host.context(), clock, task -> null, clock::waitUntil);
            took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(again.outcome()).isEqualTo(result.outcome());
            assertThat(again.events()).isEmpty();
            System.out.printf("without history: 40002 states in %d ms%n", took.toMillis());
        }
    }
}
