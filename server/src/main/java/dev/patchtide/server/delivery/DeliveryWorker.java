package dev.patchtide.server.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.background.PollingLoop;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox at least once. Claims due deliveries in batches with {@code FOR UPDATE SKIP LOCKED}
 * and a lease (so several server nodes share the work and a crash mid-delivery only makes it due again
 * when the lease ends), hands each to the {@link Deliverer} of its kind on a virtual thread, then deletes
 * it, schedules a retry with exponential backoff, or moves it to the dead letters when its
 * {@link RetryPolicy} is spent or the failure is permanent.
 */
public final class DeliveryWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final ObjectMapper JSON = ApiJson.documents();
    private static final Duration LEASE = Duration.ofMinutes(2);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    private static final int BATCH = 64;

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final MeterRegistry metrics;
    private final Map<String, Deliverer> deliverers = new ConcurrentHashMap<>();
    private final ExecutorService sending = Executors.newVirtualThreadPerTaskExecutor();
    private final Outbox outbox;
    private final PollingLoop loop = new PollingLoop("delivery-worker", IDLE_POLL, () -> deliverDue() > 0);

    public DeliveryWorker(Jdbi jdbi, InstantSource clock, MeterRegistry metrics) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.metrics = metrics;
        this.outbox = new Outbox(clock, this::wake);
    }

    public Outbox outbox() {
        return outbox;
    }

    public void register(Deliverer deliverer) {
        if (deliverers.putIfAbsent(deliverer.kind(), deliverer) != null) {
            throw new IllegalStateException("deliverer registered twice for " + deliverer.kind());
        }
    }

    /**
     * Puts {@code deliverer} in place of the one registered for its kind: tests that check what reaches a
     * destination, not how it is sent, record deliveries this way.
     */
    public void replace(Deliverer deliverer) {
        deliverers.put(deliverer.kind(), deliverer);
    }

    public void start() {
        loop.start();
    }

    /** Look for due deliveries now rather than at the next poll (after an enqueue, or when a test moved the clock). */
    public void wake() {
        loop.wake();
    }

    /** One round: claims up to a batch of due deliveries and settles each. Returns how many were attempted. */
    int deliverDue() {
        Instant now = clock.instant();
        List<PendingDelivery> claimed = claim(now);
        List<Future<?>> running = claimed.stream()
                .<Future<?>>map(d -> sending.submit(() -> attempt(d)))
                .toList();
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return claimed.size();
            } catch (java.util.concurrent.ExecutionException e) {
                log.error("delivery settlement failed; it is retried when its lease ends", e.getCause());
            }
        }
        return claimed.size();
    }

    private List<PendingDelivery> claim(Instant now) {
        return jdbi.inTransaction(
                h -> h.createQuery("UPDATE outbox SET attempts = attempts + 1, leased_until = :leaseEnd"
                                + " WHERE delivery_id IN (SELECT delivery_id FROM outbox WHERE next_attempt_at <= :now"
                                + " AND (leased_until IS NULL OR leased_until <= :now) ORDER BY next_attempt_at LIMIT :batch"
                                + " FOR UPDATE SKIP LOCKED)"
                                + " RETURNING delivery_id, attempts, created_at, destination_kind, destination, payload,"
                                + " attributes::text AS attributes, source, max_retry_attempts, max_event_age_s")
                        .bind("now", now)
                        .bind("leaseEnd", now.plus(LEASE))
                        .bind("batch", BATCH)
                        .map((rs, ctx) -> new PendingDelivery(
                                rs.getLong("delivery_id"),
                                rs.getInt("attempts"),
                                rs.getTimestamp("created_at").toInstant(),
                                new Delivery(
                                        rs.getString("destination_kind"),
                                        rs.getString("destination"),
                                        rs.getString("payload"),
                                        attributes(rs.getString("attributes")),
                                        rs.getString("source"),
                                        new RetryPolicy(
                                                rs.getInt("max_retry_attempts"),
                                                Duration.ofSeconds(rs.getInt("max_event_age_s"))))))
                        .list());
    }

    private void attempt(PendingDelivery pending) {
        Deliverer deliverer = deliverers.get(pending.delivery().destinationKind());
        try {
            if (deliverer == null) {
                throw DeliveryFailure.permanent("no deliverer for destination kind "
                        + pending.delivery().destinationKind());
            }
            deliverer.deliver(pending);
            settle(pending, "delivered");
            jdbi.useHandle(h -> h.createUpdate("DELETE FROM outbox WHERE delivery_id = :id")
                    .bind("id", pending.id())
                    .execute());
        } catch (DeliveryFailure failure) {
            failed(pending, failure.getMessage(), failure.retryable());
        } catch (RuntimeException bug) {
            log.warn("deliverer {} threw on delivery {}", pending.delivery().destinationKind(), pending.id(), bug);
            failed(pending, "deliverer error: " + bug, true);
        }
    }

    private void failed(PendingDelivery pending, String reason, boolean retryable) {
        Instant now = clock.instant();
        RetryPolicy policy = pending.delivery().retryPolicy();
        int retriesDone = pending.attempt() - 1;
        boolean tooOld = !pending.createdAt().plus(policy.maximumEventAge()).isAfter(now);
        if (!retryable || retriesDone >= policy.maximumRetryAttempts() || tooOld) {
            String why = !retryable
                    ? reason
                    : (tooOld ? "maximum event age reached" : "maximum retry attempts reached") + "; last error: "
                            + reason;
            DeadLetters.bury(jdbi, pending.id(), why, now);
            settle(pending, "dead-lettered");
            log.warn(
                    "delivery {} to {} {} moved to dead letters: {}",
                    pending.id(),
                    pending.delivery().destinationKind(),
                    pending.delivery().destination(),
                    why);
            return;
        }
        Instant next = now.plus(backoff(pending.attempt()));
        jdbi.useHandle(h -> h.createUpdate("UPDATE outbox SET next_attempt_at = :next, leased_until = NULL,"
                        + " last_error = :error WHERE delivery_id = :id")
                .bind("next", next)
                .bind("error", reason)
                .bind("id", pending.id())
                .execute());
        settle(pending, "retrying");
    }

    /** 1 s, 2 s, 4 s, ... capped at five minutes, each shortened by up to a fifth so retries spread out. */
    static Duration backoff(int attempt) {
        long seconds = 1L << Math.min(attempt - 1, 20);
        long millis = Math.min(Duration.ofSeconds(seconds).toMillis(), MAX_BACKOFF.toMillis());
        return Duration.ofMillis(millis - ThreadLocalRandom.current().nextLong(millis / 5 + 1));
    }

    private void settle(PendingDelivery pending, String outcome) {
        metrics.counter("patchtide.deliveries", "kind", pending.delivery().destinationKind(), "outcome", outcome)
                .increment();
    }

    private static Map<String, String> attributes(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable delivery attributes", e);
        }
    }

    @Override
    public void close() {
        loop.close();
        sending.close();
    }
}
