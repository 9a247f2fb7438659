package dev.patchtide.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeliveryWorkerTest {
    private final MutableClock clock = MutableClock.ofNow();
    private TestServer server;
    private final RecordingDeliverer receiver = new RecordingDeliverer();

    @BeforeEach
    void start() {
        server = TestServer.start(clock);
        server.deliveries().register(receiver);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void committedDeliveryArrivesOnceAndLeavesTheOutbox() {
        enqueue("hello", RetryPolicy.DEFAULT);

        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received.size() == 1);
        assertThat(receiver.received.peek().delivery().payload()).isEqualTo("hello");
        assertThat(receiver.received.peek().delivery().attributes()).containsEntry("subject", "test");
        assertThat(receiver.received.peek().attempt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
        server.deliveries().wake();
        assertThat(receiver.received).hasSize(1);
    }

    @Test
    void rolledBackTransactionDeliversNothing() {
        try {
            server.database().jdbi().useTransaction(h -> {
                server.deliveries().outbox().enqueue(h, delivery("never", RetryPolicy.DEFAULT));
                throw new IllegalStateException("the change failed");
            });
        } catch (IllegalStateException expected) {
            // the enqueue went with it
        }
        enqueue("after", RetryPolicy.DEFAULT);
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received.size() == 1);
        assertThat(receiver.received.peek().delivery().payload()).isEqualTo("after");
        assertThat(outboxSize()).isZero();
    }

    @Test
    void retryableFailuresAreRetriedWithBackoffUntilDelivered() {
        receiver.failuresLeft.set(2);
        enqueue("flaky", RetryPolicy.DEFAULT);

        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.attempts.get() == 1);
        // Not due again until the backoff passes on the server's clock.
        server.deliveries().wake();
        assertThat(receiver.attempts.get()).isEqualTo(1);
        for (int attempt = 2; attempt <= 3; attempt++) {
            clock.advance(Duration.ofMinutes(6));
            server.deliveries().wake();
            int expected = attempt;
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.attempts.get() == expected);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received.size() == 1);
        assertThat(receiver.received.peek().attempt()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
    }

    @Test
    void spentRetryBudgetGoesToDeadLettersAndCanBeRedriven() throws Exception {
        receiver.failuresLeft.set(3);
        enqueue("doomed", new RetryPolicy(2, Duration.ofHours(1)));
        for (int attempt = 1; attempt <= 3; attempt++) {
            int expected = attempt;
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.attempts.get() == expected);
            clock.advance(Duration.ofMinutes(6));
            server.deliveries().wake();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
        assertThat(receiver.received).isEmpty();

        ApiClient admin = server.adminClient();
        JsonNode letters = admin.call("Patchtide.ListDeadLetters", Map.of("Source", "rule/test"));
        assertThat(letters.path("DeadLetters")).hasSize(1);
        JsonNode letter = letters.path("DeadLetters").get(0);
        assertThat(letter.path("Payload").asText()).isEqualTo("doomed");
        assertThat(letter.path("Attempts").asInt()).isEqualTo(3);
        assertThat(letter.path("Reason").asText())
                .contains("maximum retry attempts reached")
                .contains("receiver down");

        JsonNode redrive = admin.call(
                "Patchtide.RedriveDeadLetters",
                Map.of("DeliveryIds", List.of(letter.path("DeliveryId").asLong(), 999_999L)));
        assertThat(redrive.path("RedrivenDeliveryIds")).hasSize(1);
        assertThat(redrive.path("NotFoundDeliveryIds").get(0).asLong()).isEqualTo(999_999L);
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received.size() == 1);
        assertThat(receiver.received.peek().delivery().payload()).isEqualTo("doomed");
        assertThat(admin.call("Patchtide.ListDeadLetters", Map.of()).path("DeadLetters"))
                .isEmpty();
    }

    @Test
    void permanentFailureIsDeadLetteredWithoutRetry() throws Exception {
        receiver.permanentFailure = true;
        enqueue("rejected", RetryPolicy.DEFAULT);
        await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
        assertThat(receiver.attempts.get()).isEqualTo(1);
        JsonNode letter = server.adminClient()
                .call("Patchtide.ListDeadLetters", Map.of())
                .path("DeadLetters")
                .get(0);
        assertThat(letter.path("Reason").asText()).isEqualTo("HTTP 400 from receiver");
    }

    @Test
    void tooOldDeliveryIsDeadLetteredEvenWithRetriesLeft() {
        receiver.failuresLeft.set(100);
        enqueue("late", new RetryPolicy(185, Duration.ofMinutes(10)));
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.attempts.get() == 1);
        clock.advance(Duration.ofMinutes(11));
        server.deliveries().wake();
        await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
        assertThat(receiver.attempts.get()).isEqualTo(2);
        String reason = server.database().jdbi().withHandle(h -> h.createQuery("SELECT reason FROM dead_letters")
                .mapTo(String.class)
                .one());
        assertThat(reason).startsWith("maximum event age reached");
    }

    @Test
    void deliveryClaimedByAWorkerThatDiedIsDeliveredWhenItsLeaseEnds() {
        // As a crashed node leaves it: claimed (attempt counted, lease held) but never settled.
        server.database().jdbi().useHandle(h -> h.createUpdate("INSERT INTO outbox (destination_kind, destination,"
                        + " payload, source, max_retry_attempts, max_event_age_s, state, attempts, created_at,"
                        + " next_attempt_at, leased_until) VALUES ('test', 'somewhere', 'orphan', '', 185, 86400,"
                        + " 'IN_FLIGHT', 1, :now, :now, :leaseEnd)")
                .bind("now", clock.instant())
                .bind("leaseEnd", clock.instant().plus(Duration.ofMinutes(2)))
                .execute());
        server.deliveries().wake();
        assertThat(receiver.attempts.get()).isZero();

        clock.advance(Duration.ofMinutes(3));
        server.deliveries().wake();
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received.size() == 1);
        assertThat(receiver.received.peek().attempt()).isEqualTo(2);
    }

    @Test
    void workerWhoseLeaseEndedCannotSettleTheDeliveryAnotherClaimedSince() throws Exception {
        // Node A runs a minute ahead, so it alone finds the delivery due; this server (node B) finds it later.
        MutableClock aheadClock = new MutableClock(clock.instant().plus(Duration.ofMinutes(1)));
        server.database().jdbi().useHandle(h -> h.createUpdate("INSERT INTO outbox (destination_kind, destination,"
                        + " payload, max_retry_attempts, max_event_age_s, created_at, next_attempt_at) VALUES"
                        + " ('contested', 'somewhere', 'contested', 185, 86400, :now, :due)")
                .bind("now", clock.instant())
                .bind("due", aheadClock.instant())
                .execute());
        Gate atA = new Gate(true);
        Gate atB = new Gate(false);
        server.deliveries().register(atB);
        try (DeliveryWorker nodeA = new DeliveryWorker(
                server.database().jdbi(), aheadClock, new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
            nodeA.register(atA);
            Thread a = Thread.ofVirtual().start(nodeA::deliverDue);
            atA.entered.await();

            // Node A hangs past its lease: node B claims the delivery again.
            clock.advance(Duration.ofMinutes(4));
            server.deliveries().wake();
            atB.entered.await();
            // Node A now fails for good; the delivery is node B's, so A must not dead-letter it.
            atA.release.countDown();
            a.join();
            assertThat(deadLetterCount()).isZero();
            String stored = server.database().jdbi().withHandle(h -> h.createQuery(
                            "SELECT state || ' ' || attempts FROM outbox")
                    .mapTo(String.class)
                    .one());
            assertThat(stored).isEqualTo("IN_FLIGHT 2");

            atB.release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> outboxSize() == 0);
            assertThat(atB.delivered.get()).isEqualTo(1);
            assertThat(deadLetterCount()).isZero();
        }
    }

    @Test
    void backoffGrowsAndIsCapped() {
        assertThat(DeliveryWorker.backoff(1)).isBetween(Duration.ofMillis(800), Duration.ofSeconds(1));
        assertThat(DeliveryWorker.backoff(4)).isBetween(Duration.ofMillis(6400), Duration.ofSeconds(8));
        assertThat(DeliveryWorker.backoff(30)).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(5));
    }

    private void enqueue(String payload, RetryPolicy policy) {
        server.database()
                .jdbi()
                .useTransaction(h -> server.deliveries().outbox().enqueue(h, delivery(payload, policy)));
    }

    private static Delivery delivery(String payload, RetryPolicy policy) {
        return new Delivery("test", "somewhere", payload, Map.of("subject", "test"), "rule/test", policy);
    }

    private long outboxSize() {
        return server.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM outbox")
                .mapTo(Long.class)
                .one());
    }

    private long deadLetterCount() {
        return server.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM dead_letters")
                .mapTo(Long.class)
                .one());
    }

    /** A destination of kind {@code contested} that holds each call until released, then refuses or takes it. */
    private static final class Gate implements Deliverer {
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final AtomicInteger delivered = new AtomicInteger();
        private final boolean refuse;

        Gate(boolean refuse) {
            this.refuse = refuse;
        }

        @Override
        public String kind() {
            return "contested";
        }

        @Override
        public void deliver(PendingDelivery delivery) throws DeliveryFailure {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (refuse) {
                throw DeliveryFailure.permanent("HTTP 400 from receiver");
            }
            delivered.incrementAndGet();
        }
    }

    /** A destination that fails on demand and records what it took. */
    private static final class RecordingDeliverer implements Deliverer {
        final ConcurrentLinkedQueue<PendingDelivery> received = new ConcurrentLinkedQueue<>();
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger failuresLeft = new AtomicInteger();
        volatile boolean permanentFailure;

        @Override
        public String kind() {
            return "test";
        }

        @Override
        public void deliver(PendingDelivery delivery) throws DeliveryFailure {
            attempts.incrementAndGet();
            if (permanentFailure) {
                throw DeliveryFailure.permanent("HTTP 400 from receiver");
            }
            if (failuresLeft.getAndDecrement() > 0) {
                throw DeliveryFailure.retryable("receiver down");
            }
            received.add(delivery);
        }
    }
}
