package dev.patchtide.server.delivery;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Deliveries that could not be made: kept whole, listed, and sent again on request (redrive). */
final class DeadLetters {
    private DeadLetters() {}

    record DeadLetter(
            long deliveryId,
            String destinationKind,
            String destination,
            String source,
            int attempts,
            Instant createdAt,
            Instant failedAt,
            String reason,
            String payload) {}

    /**
     * Moves a delivery from the outbox to the dead letters, in one transaction, if it is still the attempt
     * the caller claimed; false when another worker has claimed it since.
     */
    static boolean bury(Jdbi jdbi, PendingDelivery pending, String reason, Instant now) {
        return jdbi.inTransaction(h -> {
            int moved = h.createUpdate("INSERT INTO dead_letters (delivery_id, destination_kind, destination,"
                            + " payload, attributes, source, max_retry_attempts, max_event_age_s, attempts,"
                            + " created_at, failed_at, reason) SELECT delivery_id, destination_kind, destination,"
                            + " payload, attributes, source, max_retry_attempts, max_event_age_s, attempts, created_at,"
                            + " :now, :reason FROM outbox WHERE delivery_id = :id AND state = 'IN_FLIGHT'"
                            + " AND attempts = :attempt FOR UPDATE")
                    .bind("id", pending.id())
                    .bind("attempt", pending.attempt())
                    .bind("now", now)
                    .bind("reason", reason)
                    .execute();
            h.createUpdate("DELETE FROM outbox WHERE delivery_id = :id AND state = 'IN_FLIGHT' AND attempts = :attempt")
                    .bind("id", pending.id())
                    .bind("attempt", pending.attempt())
                    .execute();
            return moved == 1;
        });
    }

    /** A page of dead letters, oldest first, after {@code afterId}; optionally only those of one source. */
    static List<DeadLetter> list(Handle h, Optional<String> source, long afterId, int limit) {
        return h.createQuery("SELECT delivery_id, destination_kind, destination, source, attempts, created_at,"
                        + " failed_at, reason, payload FROM dead_letters WHERE delivery_id > :after"
                        + " AND (CAST(:source AS text) IS NULL OR source = :source) ORDER BY delivery_id LIMIT :limit")
                .bind("after", afterId)
                .bind("source", source.orElse(null))
                .bind("limit", limit)
                .map((rs, ctx) -> new DeadLetter(
                        rs.getLong("delivery_id"),
                        rs.getString("destination_kind"),
                        rs.getString("destination"),
                        rs.getString("source"),
                        rs.getInt("attempts"),
                        rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("failed_at").toInstant(),
                        rs.getString("reason"),
                        rs.getString("payload")))
                .list();
    }

    /**
     * Puts dead letters back in the outbox as new deliveries with a fresh retry budget (their age counts
     * from now), and removes them from the dead letters, in one transaction. Returns the ids redriven.
     */
    static List<Long> redrive(Handle h, List<Long> deliveryIds, Instant now) {
        List<Long> found = h.createQuery("SELECT delivery_id FROM dead_letters WHERE delivery_id = ANY(:ids)"
                        + " ORDER BY delivery_id FOR UPDATE")
                .bindArray("ids", Long.class, deliveryIds)
                .mapTo(Long.class)
                .list();
        h.createUpdate("INSERT INTO outbox (destination_kind, destination, payload, attributes, source,"
                        + " max_retry_attempts, max_event_age_s, created_at, next_attempt_at)"
                        + " SELECT destination_kind, destination, payload, attributes, source, max_retry_attempts,"
                        + " max_event_age_s, :now, :now FROM dead_letters WHERE delivery_id = ANY(:ids)"
                        + " ORDER BY delivery_id")
                .bindArray("ids", Long.class, found)
                .bind("now", now)
                .execute();
        h.createUpdate("DELETE FROM dead_letters WHERE delivery_id = ANY(:ids)")
                .bindArray("ids", Long.class, found)
                .execute();
        found.forEach(id -> DeliveryState.LIFECYCLE.taken(DeliveryState.DEAD_LETTERED, DeliveryState.PENDING));
        return found;
    }
}
