package dev.patchtide.server.events;

import dev.patchtide.server.db.PgArrays;
import dev.patchtide.server.fleet.PingStatusPolicy;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * Announces agents' ping-status transitions ({@code Online} ↔ {@code ConnectionLost}) once each, as
 * {@code aws.ssm} / {@code Managed Instance Ping Status Change} (detail {@code instance-id},
 * {@code ping-status}, {@code previous-ping-status}, {@code last-ping-date-time}). The status last announced
 * is kept per instance ({@code instance_ping_states}) and changed in the transaction that publishes the
 * event, so a transition is announced by one node, once, across restarts. An instance is watched from its
 * first report on; a deregistered one is not announced (its row goes with the deregistration).
 *
 * <p>The work costs what changes, not the fleet size:
 * <ul>
 *   <li>{@link #reported}: where a report is stored, with the instance's row locked by that UPDATE: a first
 *       report starts the watch ({@code Online}, no event); a report from an instance last announced
 *       {@code ConnectionLost} announces {@code Online}. Otherwise one primary-key read, no write.
 *   <li>{@link #detect}: {@code Online → ConnectionLost} only looks at instances whose last report fell
 *       between the previous look's threshold and this one's ({@code ping_status_watermark}, shared by every
 *       node; the node holding it looks, the others skip their turn), through an index on
 *       {@code last_ping_at}.
 * </ul>
 * The two meet on the instance's row: detection takes it FOR SHARE (waiting, in id order, like scan
 * ingest), so a report either committed first (and the instance is no longer a candidate) or waits and then
 * sees {@code ConnectionLost} and announces the recovery.
 */
final class PingStatusWatcher {
    static final String DETAIL_TYPE = "Managed Instance Ping Status Change";
    static final String ONLINE = "Online";
    static final String CONNECTION_LOST = "ConnectionLost";

    private final Jdbi jdbi;
    private final PingStatusPolicy policy;
    private final EventPublisher publisher;
    private final InstantSource clock;

    PingStatusWatcher(Jdbi jdbi, PingStatusPolicy policy, EventPublisher publisher, InstantSource clock) {
        this.jdbi = jdbi;
        this.policy = policy;
        this.publisher = publisher;
        this.clock = clock;
    }

    private record Lost(String instanceId, Instant lastPing) {}

    /**
     * In the transaction that stored the instance's report (its row locked by that UPDATE): starts watching
     * it, or announces its recovery.
     */
    void reported(Handle h, String instanceId, Instant at) {
        Optional<String> status = h.createQuery("SELECT status FROM instance_ping_states WHERE instance_id = :id")
                .bind("id", instanceId)
                .mapTo(String.class)
                .findOne();
        if (status.isEmpty()) {
            h.createUpdate("INSERT INTO instance_ping_states (instance_id, status, changed_at)"
                            + " VALUES (:id, :status, :at) ON CONFLICT DO NOTHING")
                    .bind("id", instanceId)
                    .bind("status", ONLINE)
                    .bind("at", at)
                    .execute();
        } else if (status.get().equals(CONNECTION_LOST)) {
            int changed = h.createUpdate("UPDATE instance_ping_states SET status = :online, changed_at = :at"
                            + " WHERE instance_id = :id AND status = :lost")
                    .bind("online", ONLINE)
                    .bind("lost", CONNECTION_LOST)
                    .bind("at", at)
                    .bind("id", instanceId)
                    .execute();
            if (changed == 1) {
                announce(h, instanceId, ONLINE, CONNECTION_LOST, at);
            }
        }
    }

    /**
     * As {@link #reported} for a batch of heartbeats written together: one look finds the few instances not watched
     * {@code Online} (first seen, or announced lost before the batch was written), which are then dealt with one by
     * one.
     */
    void reportedAll(Handle h, Map<String, Instant> at) {
        if (at.isEmpty()) {
            return;
        }
        List<String> exceptions = h.createQuery("SELECT u.id FROM unnest(:ids::text[]) AS u(id)"
                        + " LEFT JOIN instance_ping_states s ON s.instance_id = u.id"
                        + " WHERE s.status IS DISTINCT FROM :online ORDER BY u.id")
                .bind("ids", PgArrays.texts(at.keySet().toArray(String[]::new)))
                .bind("online", ONLINE)
                .mapTo(String.class)
                .list();
        exceptions.forEach(id -> reported(h, id, at.get(id)));
    }

    /** Announces the instances that went silent since the last look; returns how many. */
    int detect() {
        Instant threshold = policy.onlineSince(clock.instant());
        return jdbi.inTransaction(h -> {
            Optional<Optional<Instant>> watermark = h.createQuery(
                            "SELECT checked_until FROM ping_status_watermark WHERE id = 1 FOR UPDATE SKIP LOCKED")
                    .map((rs, ctx) -> Optional.ofNullable(instant(rs.getTimestamp("checked_until"))))
                    .findOne();
            if (watermark.isEmpty()) {
                return 0; // another node is looking right now
            }
            Optional<Instant> checkedUntil = watermark.get();
            if (checkedUntil.isPresent() && !threshold.isAfter(checkedUntil.get())) {
                return 0;
            }
            Instant now = clock.instant();
            if (checkedUntil.isEmpty()) {
                watchUnwatched(h, threshold, now);
            }
            List<Lost> lost = candidates(h, lowerBound(checkedUntil), threshold);
            int announced = 0;
            for (Lost l : lost) {
                int changed = h.createUpdate("UPDATE instance_ping_states SET status = :lost, changed_at = :now"
                                + " WHERE instance_id = :id AND status = :online")
                        .bind("lost", CONNECTION_LOST)
                        .bind("online", ONLINE)
                        .bind("now", now)
                        .bind("id", l.instanceId())
                        .execute();
                if (changed == 1) {
                    announce(h, l.instanceId(), CONNECTION_LOST, ONLINE, l.lastPing());
                    announced++;
                }
            }
            h.createUpdate("UPDATE ping_status_watermark SET checked_until = :threshold WHERE id = 1")
                    .bind("threshold", threshold)
                    .execute();
            return announced;
        });
    }

    /**
     * The very first look on a database (no watermark yet): instances that reported before reports started
     * their own watch (an older version, which left that to this look) are watched from now on, in the status
     * they are in, without an event, as a first report would have.
     */
    private static void watchUnwatched(Handle h, Instant threshold, Instant now) {
        h.createUpdate("INSERT INTO instance_ping_states (instance_id, status, changed_at)"
                        + " SELECT i.instance_id, CASE WHEN i.last_ping_at >= :threshold THEN :online ELSE :lost END,"
                        + " :now FROM managed_instances i WHERE i.deregistered_at IS NULL"
                        + " AND i.last_ping_at IS NOT NULL ON CONFLICT DO NOTHING")
                .bind("threshold", threshold)
                .bind("online", ONLINE)
                .bind("lost", CONNECTION_LOST)
                .bind("now", now)
                .execute();
    }

    /**
     * Looks again a little before the previous threshold, so a report whose transaction committed late (or
     * came from a node whose clock is a little behind) is still judged; re-judging is harmless, since only
     * instances still announced {@code Online} qualify, and cheap, since only instances that went silent in
     * that span are in it.
     */
    private Optional<Instant> lowerBound(Optional<Instant> checkedUntil) {
        Duration window = policy.heartbeatInterval().multipliedBy(policy.missedHeartbeats());
        return checkedUntil.map(c -> c.minus(window));
    }

    private static List<Lost> candidates(Handle h, Optional<Instant> from, Instant threshold) {
        // FOR SHARE of the instance, waiting: conflicts with a report's UPDATE (see the class comment).
        Query query = h.createQuery("SELECT i.instance_id, i.last_ping_at FROM managed_instances i"
                        + " JOIN instance_ping_states s ON s.instance_id = i.instance_id"
                        + " WHERE i.deregistered_at IS NULL AND i.last_ping_at < :threshold"
                        + (from.isPresent() ? " AND i.last_ping_at >= :from" : "")
                        + " AND s.status = :online ORDER BY i.instance_id FOR SHARE OF i")
                .bind("threshold", threshold)
                .bind("online", ONLINE);
        from.ifPresent(f -> query.bind("from", f));
        return query.map((rs, ctx) -> new Lost(rs.getString("instance_id"), instant(rs.getTimestamp("last_ping_at"))))
                .list();
    }

    private void announce(Handle h, String instanceId, String status, String previous, Instant lastPing) {
        EventEnvelope.Builder event =
                publisher.event(FleetEvents.SSM, DETAIL_TYPE).resource(FleetEvents.instanceArn(publisher, instanceId));
        event.detail().put("instance-id", instanceId).put("ping-status", status).put("previous-ping-status", previous);
        if (lastPing != null) {
            event.detail().put("last-ping-date-time", lastPing.toString());
        }
        publisher.publish(h, publisher.build(event));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
