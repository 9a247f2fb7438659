package dev.patchtide.server.events;

import dev.patchtide.core.schedule.ScheduleExpression;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Fires schedule rules. Each due, enabled rule is claimed with {@code FOR UPDATE SKIP LOCKED}, so one node
 * fires it; its {@code Scheduled Event} (source {@code aws.events}) goes to its targets and its next due
 * time is written in the same transaction, so each due time fires exactly once. After downtime a rule
 * fires once for the missed times, then keeps its rhythm.
 */
final class Schedules {
    private static final int BATCH = 50;

    private final Jdbi jdbi;
    private final EventRouter router;
    private final EventsArns arns;
    private final InstantSource clock;

    Schedules(Jdbi jdbi, EventRouter router, EventsArns arns, InstantSource clock) {
        this.jdbi = jdbi;
        this.router = router;
        this.arns = arns;
        this.clock = clock;
    }

    private record Due(String bus, String name, String expression, Instant dueAt) {}

    /** Fires the rules due now; returns how many fired. */
    int fireDue() {
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            List<Due> due = h.createQuery("SELECT bus, name, schedule_expression, next_fire_at FROM event_rules"
                            + " WHERE next_fire_at <= :now AND state <> 'DISABLED' AND schedule_expression IS NOT NULL"
                            + " ORDER BY next_fire_at LIMIT :batch FOR UPDATE SKIP LOCKED")
                    .bind("now", now)
                    .bind("batch", BATCH)
                    .map((rs, ctx) -> new Due(
                            rs.getString("bus"),
                            rs.getString("name"),
                            rs.getString("schedule_expression"),
                            rs.getTimestamp("next_fire_at").toInstant()))
                    .list();
            for (Due d : due) {
                EventEnvelope event = EventEnvelope.builder("aws.events", "Scheduled Event")
                        .resource(arns.rule(d.bus(), d.name()))
                        .build(arns.account(), arns.region(), d.dueAt());
                router.deliverToRule(h, d.bus(), d.name(), event);
                Optional<Instant> next =
                        ScheduleExpression.parse(d.expression()).nextAfter(d.dueAt(), now);
                h.createUpdate("UPDATE event_rules SET next_fire_at = :next WHERE bus = :bus AND name = :name")
                        .bind("next", next.orElse(null))
                        .bind("bus", d.bus())
                        .bind("name", d.name())
                        .execute();
            }
            return due.size();
        });
    }
}
