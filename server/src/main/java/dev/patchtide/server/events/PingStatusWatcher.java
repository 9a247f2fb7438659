package dev.patchtide.server.events;

import dev.patchtide.server.fleet.PingStatusPolicy;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * Announces agents' ping-status transitions ({@code Online} ↔ {@code ConnectionLost}) once each, as
 * {@code aws.ssm} / {@code Managed Instance Ping Status Change} (detail {@code instance-id},
 * {@code ping-status}, {@code previous-ping-status}, {@code last-ping-date-time}). The status last announced
 * is kept per instance and changed in the transaction that publishes the event, with the rows claimed by
 * SKIP LOCKED, so a transition is announced by one node, once, across restarts. An instance is watched
 * from its first report on.
 */
final class PingStatusWatcher {
    static final String DETAIL_TYPE = "Managed Instance Ping Status Change";
    private static final String STATUS_SQL =
            "CASE WHEN i.last_ping_at >= :onlineSince THEN 'Online' ELSE 'ConnectionLost' END";

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

    private record Transition(String instanceId, String previous, String current, Instant lastPing) {}

    /** Announces the transitions that happened since the last look; returns how many. */
    int detect() {
        Instant now = clock.instant();
        Instant onlineSince = now.minus(policy.heartbeatInterval().multipliedBy(policy.missedHeartbeats()));
        return jdbi.inTransaction(h -> {
            h.createUpdate("INSERT INTO instance_ping_states (instance_id, status, changed_at)"
                            + " SELECT i.instance_id, " + STATUS_SQL + ", :now FROM managed_instances i"
                            + " WHERE i.deregistered_at IS NULL AND i.last_ping_at IS NOT NULL"
                            + " ON CONFLICT DO NOTHING")
                    .bind("onlineSince", onlineSince)
                    .bind("now", now)
                    .execute();
            List<Transition> changed = h.createQuery("SELECT s.instance_id, s.status, " + STATUS_SQL
                            + " AS current, i.last_ping_at FROM instance_ping_states s JOIN managed_instances i"
                            + " ON i.instance_id = s.instance_id WHERE i.deregistered_at IS NULL"
                            + " AND s.status <> " + STATUS_SQL + " ORDER BY s.instance_id FOR UPDATE OF s SKIP LOCKED")
                    .bind("onlineSince", onlineSince)
                    .map((rs, ctx) -> new Transition(
                            rs.getString("instance_id"),
                            rs.getString("status"),
                            rs.getString("current"),
                            instant(rs.getTimestamp("last_ping_at"))))
                    .list();
            for (Transition t : changed) {
                h.createUpdate(
                                "UPDATE instance_ping_states SET status = :status, changed_at = :now WHERE instance_id = :id")
                        .bind("status", t.current())
                        .bind("now", now)
                        .bind("id", t.instanceId())
                        .execute();
                EventEnvelope.Builder event = publisher
                        .event(FleetEvents.SSM, DETAIL_TYPE)
                        .resource(FleetEvents.instanceArn(publisher, t.instanceId()));
                event.detail()
                        .put("instance-id", t.instanceId())
                        .put("ping-status", t.current())
                        .put("previous-ping-status", t.previous());
                if (t.lastPing() != null) {
                    event.detail().put("last-ping-date-time", t.lastPing().toString());
                }
                publisher.publish(h, publisher.build(event));
            }
            return changed.size();
        });
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
