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
        record Claimed(DeliveryState from, PendingDelivery delivery) {}
        List<Claimed> claimed = jdbi.inTransaction(h -> h.createQuery("UPDATE outbox o SET state = 'IN_FLIGHT',"
                        + " attempts = o.attempts + 1, leased_until = :leaseEnd FROM (SELECT delivery_id, state"
                        + " FROM outbox WHERE next_attempt_at <= :now AND (state <> 'IN_FLIGHT' OR leased_until <= :now)"
                        + " ORDER BY next_attempt_at LIMIT :batch FOR UPDATE SKIP LOCKED) due"
                        + " WHERE o.delivery_id = due.delivery_id RETURNING due.state AS from_state, o.delivery_id,"
                        + " o.attempts, o.created_at, o.destination_kind, o.destination, o.payload,"
                        + " o.attributes::text AS attributes, o.source, o.max_retry_attempts, o.max_event_age_s")
                .bind("now", now)
                .bind("leaseEnd", now.plus(LEASE))
                .bind("batch", BATCH)
                .map((rs, ctx) -> new Claimed(
                        DeliveryState.valueOf(rs.getString("from_state")),
                        new PendingDelivery(
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
                                                Duration.ofSeconds(rs.getInt("max_event_age_s")))))))
                .list());
        claimed.forEach(c -> DeliveryState.LIFECYCLE.taken(c.from(), DeliveryState.IN_FLIGHT));
        return claimed.stream().map(Claimed::delivery).toList();
    }

    private void attempt(PendingDelivery pending) {
        Deliverer deliverer = deliverers.get(pending.delivery().destinationKind());
        try {
            if (deliverer == null) {
                throw DeliveryFailure.permanent("no deliverer for destination kind "
                        + pending.delivery().destinationKind());
            }
            deliverer.deliver(pending);
            boolean settled = jdbi.withHandle(h -> h.createUpdate("DELETE FROM outbox WHERE delivery_id = :id"
                                    + " AND state = 'IN_FLIGHT' AND attempts = :attempt")
                            .bind("id", pending.id())
                            .bind("attempt", pending.attempt())
                            .execute())
                    == 1;
            settled(pending, settled, DeliveryState.DELIVERED);
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
            boolean buried = DeadLetters.bury(jdbi, pending, why, now);
            if (settled(pending, buried, DeliveryState.DEAD_LETTERED)) {
                log.warn(
                        "delivery {} to {} {} moved to dead letters after {} attempt(s): {}",
                        pending.id(),
                        pending.delivery().destinationKind(),
                        pending.delivery().destination(),
                        pending.attempt(),
                        why);
            }
            return;
        }
        Instant next = now.plus(backoff(pending.attempt()));
        boolean rescheduled = jdbi.withHandle(h -> h.createUpdate("UPDATE outbox SET state = 'RETRYING',"
                                + " next_attempt_at = :next, leased_until = NULL, last_error = :error"
                                + " WHERE delivery_id = :id AND state = 'IN_FLIGHT' AND attempts = :attempt")
                        .bind("next", next)
                        .bind("error", reason)
                        .bind("id", pending.id())
                        .bind("attempt", pending.attempt())
                        .execute())
                == 1;
        if (settled(pending, rescheduled, DeliveryState.RETRYING)) {
            log.info(
                    "delivery {} to {} {} failed (attempt {}), retrying at {}: {}",
                    pending.id(),
                    pending.delivery().destinationKind(),
                    pending.delivery().destination(),
                    pending.attempt(),
                    next,
                    reason);
        }
    }

    /** 1 s, 2 s, 4 s, ... capped at five minutes, each shortened by up to a fifth so retries spread out. */
    static Duration backoff(int attempt) {
        long seconds = 1L << Math.min(attempt - 1, 20);
        long millis = Math.min(Duration.ofSeconds(seconds).toMillis(), MAX_BACKOFF.toMillis());
        return Duration.ofMillis(millis - ThreadLocalRandom.current().nextLong(millis / 5 + 1));
    }

    /**
     * Counts and reports the settlement when this worker made it; when it did not, its lease had ended and
     * another worker claimed the delivery since (which settles it in its turn).
     */
    private boolean settled(PendingDelivery pending, boolean made, DeliveryState to) {
        if (!made) {
            log.info(
                    "delivery {} (attempt {}) was claimed again by another worker after its lease ended; not {}",
                    pending.id(),
                    pending.attempt(),
                    to.outcome());
            return false;
        }
        DeliveryState.LIFECYCLE.taken(DeliveryState.IN_FLIGHT, to);
        metrics.counter("patchtide.deliveries", "kind", pending.delivery().destinationKind(), "outcome", to.outcome())
                .increment();
        return true;
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
