package dev.patchtide.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.lifecycle.Lifecycle;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every transition of {@link DeliveryState#LIFECYCLE}, taken by the outbox worker and the dead-letter API of a
 * real server; fails if a scenario that takes one of them is removed.
 */
class DeliveryLifecycleTest {
    private static Lifecycle.Recording<DeliveryState> taken;

    private final MutableClock clock = MutableClock.ofNow();
    private final Destination destination = new Destination();
    private TestServer server;

    @BeforeAll
    static void record() {
        taken = DeliveryState.LIFECYCLE.record();
    }

    @AfterAll
    static void everyTransitionWasTaken() {
        taken.close();
        assertThat(taken.missing()).as("delivery transitions no scenario took").isEmpty();
    }

    @BeforeEach
    void start() {
        server = TestServer.start(clock);
        server.deliveries().register(destination);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void deliveredAtTheSecondAttemptAfterItsBackoff() {
        destination.failuresLeft.set(1);
        enqueue("flaky");
        await().atMost(Duration.ofSeconds(10)).until(() -> stored("state").equals(List.of("RETRYING")));
        clock.advance(Duration.ofSeconds(2));
        server.deliveries().wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> destination.received.size() == 1);
        assertThat(destination.received.peek().attempt()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> stored("state").isEmpty());
    }

    @Test
    void refusedDeliveryIsDeadLetteredAndRedriven() throws Exception {
        destination.refuse = true;
        enqueue("refused");
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().size() == 1);
        assertThat(stored("state")).isEmpty();

        destination.refuse = false;
        JsonNode redriven = server.adminClient()
                .call(
                        "Patchtide.RedriveDeadLetters",
                        Map.of("DeliveryIds", List.of(deadLetters().getFirst())));
        assertThat(redriven.path("RedrivenDeliveryIds")).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> destination.received.size() == 1);
        assertThat(destination.received.peek().delivery().payload()).isEqualTo("refused");
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void deliveryHeldByAWorkerThatDiedIsClaimedAgainWhenItsLeaseEnds() {
        // As a node that crashed mid-delivery leaves it: IN_FLIGHT, attempt 1, leased for two minutes.
        server.database().jdbi().useHandle(h -> h.createUpdate("INSERT INTO outbox (destination_kind, destination,"
                        + " payload, max_retry_attempts, max_event_age_s, state, attempts, created_at, next_attempt_at,"
                        + " leased_until) VALUES ('lifecycle', 'somewhere', 'orphan', 185, 86400, 'IN_FLIGHT', 1,"
                        + " :now, :now, :leaseEnd)")
                .bind("now", clock.instant())
                .bind("leaseEnd", clock.instant().plus(Duration.ofMinutes(2)))
                .execute());
        clock.advance(Duration.ofMinutes(3));
        server.deliveries().wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> destination.received.size() == 1);
        assertThat(destination.received.peek().attempt()).isEqualTo(2);
    }

    private void enqueue(String payload) {
        server.database().jdbi().useTransaction(h -> server.deliveries()
                .outbox()
                .enqueue(h, new Delivery("lifecycle", "somewhere", payload, Map.of(), "test", RetryPolicy.DEFAULT)));
    }

    private List<String> stored(String column) {
        return server.database().jdbi().withHandle(h -> h.createQuery("SELECT " + column + " FROM outbox")
                .mapTo(String.class)
                .list());
    }

    private List<Long> deadLetters() {
        return server.database().jdbi().withHandle(h -> h.createQuery("SELECT delivery_id FROM dead_letters")
                .mapTo(Long.class)
                .list());
    }

    /** A destination that fails on demand and records what it took. */
    private static final class Destination implements Deliverer {
        final ConcurrentLinkedQueue<PendingDelivery> received = new ConcurrentLinkedQueue<>();
        final AtomicInteger failuresLeft = new AtomicInteger();
        volatile boolean refuse;

        @Override
        public String kind() {
            return "lifecycle";
        }

        @Override
        public void deliver(PendingDelivery delivery) throws DeliveryFailure {
            if (refuse) {
                throw DeliveryFailure.permanent("HTTP 410 from receiver");
            }
            if (failuresLeft.getAndDecrement() > 0) {
                throw DeliveryFailure.retryable("receiver down");
            }
            received.add(delivery);
        }
    }
}
