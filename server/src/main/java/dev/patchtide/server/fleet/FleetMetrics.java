package dev.patchtide.server.fleet;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Gauges of the fleet (instances by ping status), counted with one query per scrape at most once a second. */
public final class FleetMetrics {
    private final Jdbi jdbi;
    private final PingStatusPolicy pingPolicy;
    private final InstantSource clock;
    private Map<String, Long> counts = Map.of();
    private Instant countedAt = Instant.MIN;

    public FleetMetrics(Jdbi jdbi, PingStatusPolicy pingPolicy, InstantSource clock) {
        this.jdbi = jdbi;
        this.pingPolicy = pingPolicy;
        this.clock = clock;
    }

    public void bindTo(MeterRegistry registry) {
        for (String status : new String[] {"Online", "ConnectionLost"}) {
            // Micrometer holds a gauge's object weakly, and nothing else holds this one: without a strong
            // reference it is collected and the gauge reads NaN.
            Gauge.builder("patchtide.fleet.instances", this, m -> m.count(status))
                    .strongReference(true)
                    .description("Registered managed instances by ping status")
                    .tag("ping_status", status)
                    .register(registry);
        }
    }

    private synchronized double count(String status) {
        Instant now = clock.instant();
        if (Duration.between(countedAt, now).compareTo(Duration.ofSeconds(1)) >= 0) {
            counts = jdbi.withHandle(handle -> handle.createQuery("SELECT " + PingStatusPolicy.STATUS_SQL
                            + " AS status, count(*) AS n FROM managed_instances i WHERE i.deregistered_at IS NULL"
                            + " GROUP BY 1")
                    .bind("onlineSince", pingPolicy.onlineSince(now))
                    .reduceRows(new java.util.HashMap<String, Long>(), (acc, row) -> {
                        acc.put(row.getColumn("status", String.class), row.getColumn("n", Long.class));
                        return acc;
                    }));
            countedAt = now;
        }
        return counts.getOrDefault(status, 0L);
    }
}
