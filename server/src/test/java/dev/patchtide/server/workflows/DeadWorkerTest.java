package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Handles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * A worker that claimed a due timer and died before committing (its connection gone, as after {@code kill -9}):
 * while it holds the row no other worker fires the timer, and once its transaction is gone the timer fires once.
 */
class DeadWorkerTest {
    private final MutableClock clock = MutableClock.ofNow();
    private TestServer server;
    private SfnClient sfn;

    @BeforeEach
    void start() {
        server = TestServer.start(clock);
        sfn = SfnClients.sfn(server);
    }

    @AfterEach
    void stop() {
        sfn.close();
        server.close();
    }

    @Test
    void aClaimLostWithItsWorkerIsCarriedOutOnceByAnother() {
        String machine = sfn.createStateMachine(
                        b -> b.name("claimed")
                                .roleArn("arn:aws:iam::123456789012:role/workflows")
                                .definition(
                                        """
                                {"StartAt": "Hold", "States": {
                                  "Hold": {"Type": "Wait", "Seconds": 60, "Next": "Done"},
                                  "Done": {"Type": "Succeed"}}}"""))
                .stateMachineArn();
        String execution = sfn.startExecution(b -> b.stateMachineArn(machine)).executionArn();

        Handle deadWorker = server.database().jdbi().open();
        deadWorker.getConfig(Handles.class).setForceEndTransactions(false);
        try {
            deadWorker.begin();
            int pid = deadWorker
                    .createQuery("SELECT pg_backend_pid()")
                    .mapTo(Integer.class)
                    .one();
            int claimed = deadWorker
                    .createQuery("SELECT count(*) FROM (SELECT 1 FROM sfn_effects"
                            + " WHERE execution_arn = :arn AND kind = 'TIMER' FOR UPDATE SKIP LOCKED) t")
                    .bind("arn", execution)
                    .mapTo(Integer.class)
                    .one();
            assertThat(claimed).isEqualTo(1);
            // Due only now that it is claimed: the worker's idle poll cannot fire it first.
            clock.advance(Duration.ofSeconds(61));
            var loop = server.node().workflows().effects();
            long rounds = loop.completedRounds();
            loop.wake();
            await().until(() -> loop.completedRounds() >= rounds + 2);
            assertThat(types(execution))
                    .as("the claimed timer is skipped, not fired twice")
                    .endsWith(HistoryEventType.WAIT_STATE_ENTERED);
            // The worker's process dies: PostgreSQL ends its session and rolls its transaction back.
            server.database().jdbi().useHandle(h -> h.createQuery("SELECT pg_terminate_backend(:pid)")
                    .bind("pid", pid)
                    .mapTo(Boolean.class)
                    .one());
        } finally {
            try {
                deadWorker.close();
            } catch (RuntimeException gone) {
                // its connection was terminated above
            }
        }

        server.node().workflows().effects().wake();
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        sfn.describeExecution(b -> b.executionArn(execution)).status() == ExecutionStatus.SUCCEEDED);
        assertThat(types(execution))
                .containsExactly(
                        HistoryEventType.EXECUTION_STARTED,
                        HistoryEventType.WAIT_STATE_ENTERED,
                        HistoryEventType.WAIT_STATE_EXITED,
                        HistoryEventType.SUCCEED_STATE_ENTERED,
                        HistoryEventType.SUCCEED_STATE_EXITED,
                        HistoryEventType.EXECUTION_SUCCEEDED);
    }

    private List<HistoryEventType> types(String execution) {
        return sfn.getExecutionHistory(b -> b.executionArn(execution)).events().stream()
                .map(HistoryEvent::type)
                .toList();
    }
}
