package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.StateMachineDeletingException;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;

/**
 * StartExecution's grouped commits and kept machines, through the AWS SDK on a real server: starts made together
 * each get their own answer (a refused one fails alone), and a start from a kept copy of a machine that was updated,
 * marked deleting, deleted or replaced answers as the machine is now.
 */
class StartGroupsTest {
    static final MutableClock clock = MutableClock.ofNow();
    static TestServer server;
    static SfnClient sfn;

    static final String PASS = "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"Result\": {\"v\": %d},"
            + " \"End\": true}}}";

    @BeforeAll
    static void start() {
        server = TestServer.start(clock);
        sfn = SfnClients.sfn(server);
    }

    @AfterAll
    static void stop() {
        sfn.close();
        server.close();
    }

    static String start(String machine, String name, String input) {
        return sfn.startExecution(b -> b.stateMachineArn(machine).name(name).input(input))
                .executionArn();
    }

    @Test
    void startsMadeTogetherEachGetTheirOwnAnswerAndARefusedOneFailsAlone() throws Exception {
        String machine = WorkflowCalls.machine(sfn, "together", PASS.formatted(1));
        start(machine, "taken", "{}"); // ends at once: starting the name again is refused
        int callers = 24;
        CyclicBarrier together = new CyclicBarrier(callers);
        List<Future<String>> answers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            for (int i = 0; i < callers; i++) {
                String name = i % 8 == 0 ? "taken" : "run-" + i;
                answers.add(pool.submit(() -> {
                    together.await();
                    try {
                        return start(machine, name, "{\"i\": 1}");
                    } catch (ExecutionAlreadyExistsException e) {
                        return "refused " + name;
                    }
                }));
            }
        }
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            String answer = answers.get(i).get();
            if (i % 8 == 0) {
                refused.add(answer);
                continue;
            }
            assertThat(answer).endsWith(":together:run-" + i);
            var ended = WorkflowCalls.awaitEnd(sfn, answer);
            assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(ended.output()).isEqualTo("{\"v\":1}");
            assertThat(WorkflowCalls.types(sfn, answer))
                    .containsExactly(
                            HistoryEventType.EXECUTION_STARTED,
                            HistoryEventType.PASS_STATE_ENTERED,
                            HistoryEventType.PASS_STATE_EXITED,
                            HistoryEventType.EXECUTION_SUCCEEDED);
        }
        assertThat(refused).containsOnly("refused taken").hasSize(3);
    }

    @Test
    void aStartWhileTheSameNameRunsWithTheSameInputAnswersThatExecution() {
        String machine = WorkflowCalls.machine(
                sfn,
                "idempotent",
                "{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"Seconds\": 3600, \"End\": true}}}");
        String first = start(machine, "once", "{\"a\": 1}");
        assertThat(start(machine, "once", "{\"a\": 1}")).isEqualTo(first);
        assertThatThrownBy(() -> start(machine, "once", "{\"a\": 2}"))
                .isInstanceOf(ExecutionAlreadyExistsException.class);
        sfn.stopExecution(b -> b.executionArn(first));
    }

    @Test
    void aStartAfterAnUpdateRunsTheNewDefinition() {
        String machine = WorkflowCalls.machine(sfn, "updated", PASS.formatted(1));
        String before = start(machine, "before", "{}");
        sfn.updateStateMachine(b -> b.stateMachineArn(machine).definition(PASS.formatted(2)));
        String after = start(machine, "after", "{}");
        assertThat(WorkflowCalls.awaitEnd(sfn, before).output()).isEqualTo("{\"v\":1}");
        assertThat(WorkflowCalls.awaitEnd(sfn, after).output()).isEqualTo("{\"v\":2}");
    }

    @Test
    void aKeptMachineMarkedDeletingDeletedOrReplacedAnswersAsItIsNow() {
        String machine = WorkflowCalls.machine(
                sfn,
                "going",
                "{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"Seconds\": 3600, \"End\": true}}}");
        String running = start(machine, "running", "{}"); // keeps the machine DELETING once deleted
        sfn.deleteStateMachine(b -> b.stateMachineArn(machine));
        assertThatThrownBy(() -> start(machine, "while-deleting", "{}"))
                .isInstanceOf(StateMachineDeletingException.class);

        sfn.stopExecution(b -> b.executionArn(running)); // its end takes the deleting machine along
        assertThatThrownBy(() -> start(machine, "after-delete", "{}"))
                .isInstanceOf(StateMachineDoesNotExistException.class);

        String again = sfn.createStateMachine(b -> b.name("going")
                        .definition(PASS.formatted(3))
                        .roleArn(WorkflowCalls.ROLE)
                        .type("EXPRESS"))
                .stateMachineArn();
        assertThat(again).isEqualTo(machine);
        assertThat(start(machine, "replaced", "{}")).contains(":express:going:replaced");
    }
}
