package dev.patchtide.server.compliance;

import dev.patchtide.server.compliance.FleetComplianceMessages.ComplianceSummary;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Jdbi;

/**
 * The fleet's compliance counts, per patch group, kept in memory. Counting 100,000 instances takes
 * PostgreSQL about 100–200 ms, too slow to do per request, so the counts are served from here and are
 * at most {@link #MAX_AGE} old: the first request after that recounts, on the request's thread, while requests
 * arriving meanwhile wait for that count rather than start their own. No thread of its own, so nothing
 * to stop, and a server that nobody asks counts nothing.
 */
final class FleetSummaryCache {
    static final Duration MAX_AGE = Duration.ofSeconds(10);

    /** Counts per patch group, the group being the last scan's, or the Patch Group tag before any scan. */
    private static final String SUMMARY_SQL = "SELECT coalesce(s.patch_group, ("
            + FleetComplianceQueries.TAGGED_PATCH_GROUP_SQL + "), '') AS patch_group,"
            + " count(*) AS instances,"
            + " count(*) FILTER (WHERE s.compliance_status = 'COMPLIANT') AS compliant,"
            + " count(*) FILTER (WHERE s.compliance_status = 'NON_COMPLIANT') AS non_compliant,"
            + " count(*) FILTER (WHERE s.instance_id IS NULL) AS not_scanned,"
            + " count(*) FILTER (WHERE s.compliance_status = 'NON_COMPLIANT' AND s.critical_non_compliant_count > 0) AS with_critical,"
            + " count(*) FILTER (WHERE s.compliance_status = 'NON_COMPLIANT' AND s.security_non_compliant_count > 0) AS with_security,"
            + " count(*) FILTER (WHERE s.compliance_status = 'NON_COMPLIANT' AND s.other_non_compliant_count > 0) AS with_other,"
            + " coalesce(sum(s.critical_non_compliant_count) FILTER (WHERE s.compliance_status = 'NON_COMPLIANT'), 0) AS critical,"
            + " coalesce(sum(s.security_non_compliant_count) FILTER (WHERE s.compliance_status = 'NON_COMPLIANT'), 0) AS security,"
            + " coalesce(sum(s.other_non_compliant_count) FILTER (WHERE s.compliance_status = 'NON_COMPLIANT'), 0) AS other"
            + " FROM managed_instances i LEFT JOIN instance_patch_states s ON s.instance_id = i.instance_id"
            + " WHERE i.deregistered_at IS NULL GROUP BY 1 ORDER BY 1";

    record Snapshot(List<ComplianceSummary> groups, Instant takenAt) {}

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final ReentrantLock counting = new ReentrantLock();
    private volatile Snapshot current;

    FleetSummaryCache(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    Snapshot get() {
        Snapshot snapshot = current;
        if (fresh(snapshot, clock.instant())) {
            return snapshot;
        }
        counting.lock();
        try {
            // Whoever waited for the lock finds the count just taken and uses it.
            Instant now = clock.instant();
            if (!fresh(current, now)) {
                current = new Snapshot(count(), now);
            }
            return current;
        } finally {
            counting.unlock();
        }
    }

    private static boolean fresh(Snapshot snapshot, Instant now) {
        return snapshot != null && now.isBefore(snapshot.takenAt().plus(MAX_AGE));
    }

    private List<ComplianceSummary> count() {
        return jdbi.withHandle(h -> h.createQuery(SUMMARY_SQL)
                .map((rs, ctx) -> new ComplianceSummary(
                        rs.getString("patch_group"),
                        rs.getInt("instances"),
                        rs.getInt("compliant"),
                        rs.getInt("non_compliant"),
                        rs.getInt("not_scanned"),
                        rs.getInt("with_critical"),
                        rs.getInt("with_security"),
                        rs.getInt("with_other"),
                        rs.getLong("critical"),
                        rs.getLong("security"),
                        rs.getLong("other")))
                .list());
    }
}
