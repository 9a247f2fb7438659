package dev.patchtide.server.compliance;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.patching.ComplianceStateListener.Outcome;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;

/**
 * Patch compliance over time. A row is written when an instance's outcome (status, any count, baseline or
 * patch group) changes, not on every scan: a fleet scanning every 4 hours would otherwise write 600,000
 * identical rows a day per 100,000 hosts, while a trend chart needs only the changes (a state holds until
 * the next row). {@code Patchtide.GetComplianceHistory} returns an instance's rows, or, without InstanceId,
 * the fleet's compliant and non-compliant instance counts at the end of each UTC day.
 */
final class ComplianceHistory {
    private static final int MAX_DAYS = 366;

    private static final int DEFAULT_DAYS = 30;

    /**
     * @param days the UTC day of {@code endTime} (default: now) and the {@code days - 1} before it, instead of
     *     {@code startTime}; without either, {@value #DEFAULT_DAYS} days
     */
    record Request(
            String instanceId, Instant startTime, Instant endTime, Integer days, String nextToken, Integer maxResults)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.pattern("instanceId", instanceId, ComplianceMessages.MANAGED_INSTANCE_ID)
                    .range("maxResults", maxResults, 1, 500)
                    .range("days", days, 1, MAX_DAYS);
            v.check(days == null || startTime == null, "give either startTime or days, not both");
            if (startTime != null && endTime != null) {
                v.check(!endTime.isBefore(startTime), "endTime must not be before startTime");
            }
        }
    }

    record Entry(
            String instanceId,
            Instant time,
            String complianceStatus,
            String baselineId,
            String patchGroup,
            int installedCount,
            int installedOtherCount,
            int installedPendingRebootCount,
            int installedRejectedCount,
            int missingCount,
            int failedCount,
            int notApplicableCount,
            int criticalNonCompliantCount,
            int securityNonCompliantCount,
            int otherNonCompliantCount) {

        static Entry of(Instant time, Outcome o) {
            return new Entry(
                    o.instanceId(),
                    time,
                    o.complianceStatus(),
                    o.baselineId(),
                    o.patchGroup(),
                    o.installedCount(),
                    o.installedOtherCount(),
                    o.installedPendingRebootCount(),
                    o.installedRejectedCount(),
                    o.missingCount(),
                    o.failedCount(),
                    o.notApplicableCount(),
                    o.criticalNonCompliantCount(),
                    o.securityNonCompliantCount(),
                    o.otherNonCompliantCount());
        }

        static Entry read(ResultSet rs) throws SQLException {
            return new Entry(
                    rs.getString("instance_id"),
                    rs.getTimestamp("recorded_at").toInstant(),
                    rs.getString("compliance_status"),
                    rs.getString("baseline_id"),
                    rs.getString("patch_group"),
                    rs.getInt("installed_count"),
                    rs.getInt("installed_other_count"),
                    rs.getInt("installed_pending_reboot_count"),
                    rs.getInt("installed_rejected_count"),
                    rs.getInt("missing_count"),
                    rs.getInt("failed_count"),
                    rs.getInt("not_applicable_count"),
                    rs.getInt("critical_non_compliant_count"),
                    rs.getInt("security_non_compliant_count"),
                    rs.getInt("other_non_compliant_count"));
        }
    }

    /** {@code date} is YYYY-MM-DD (UTC). */
    record DailyCount(String date, int compliantCount, int nonCompliantCount) {}

    record Result(List<Entry> entries, List<DailyCount> dailyCounts, String nextToken) {}

    private final Jdbi jdbi;
    private final InstantSource clock;

    ComplianceHistory(Jdbi jdbi, InstantSource clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Keeps the outcomes patching reports as changed (see {@link ComplianceChanges}). */
    static void recordAll(Handle h, Instant time, List<Outcome> rows) {
        if (rows.isEmpty()) {
            return;
        }
        h.createUpdate("INSERT INTO instance_compliance_history (instance_id, recorded_at, compliance_status,"
                        + " baseline_id, patch_group, installed_count, installed_other_count,"
                        + " installed_pending_reboot_count, installed_rejected_count, missing_count, failed_count,"
                        + " not_applicable_count, critical_non_compliant_count, security_non_compliant_count,"
                        + " other_non_compliant_count) SELECT u.id, :time, u.status, u.baseline, u.grp, u.installed,"
                        + " u.other, u.reboot, u.rejected, u.missing, u.failed, u.na, u.critical, u.security, u.other_nc"
                        + " FROM unnest(:ids, :statuses, :baselines, :groups, :installed, :others, :reboots, :rejected,"
                        + " :missing, :failed, :na, :critical, :security, :otherNc) AS u(id, status, baseline, grp,"
                        + " installed, other, reboot, rejected, missing, failed, na, critical, security, other_nc)")
                .bind("time", time)
                .bind("ids", texts(rows, Outcome::instanceId))
                .bind("statuses", texts(rows, Outcome::complianceStatus))
                .bind("baselines", texts(rows, Outcome::baselineId))
                .bind("groups", texts(rows, Outcome::patchGroup))
                .bind("installed", integers(rows, Outcome::installedCount))
                .bind("others", integers(rows, Outcome::installedOtherCount))
                .bind("reboots", integers(rows, Outcome::installedPendingRebootCount))
                .bind("rejected", integers(rows, Outcome::installedRejectedCount))
                .bind("missing", integers(rows, Outcome::missingCount))
                .bind("failed", integers(rows, Outcome::failedCount))
                .bind("na", integers(rows, Outcome::notApplicableCount))
                .bind("critical", integers(rows, Outcome::criticalNonCompliantCount))
                .bind("security", integers(rows, Outcome::securityNonCompliantCount))
                .bind("otherNc", integers(rows, Outcome::otherNonCompliantCount))
                .execute();
    }

    /** A column of the rows as a JDBC array (one statement for the whole batch). */
    private static Argument texts(List<Outcome> rows, Function<Outcome, String> value) {
        Object[] column = rows.stream().map(value).toArray();
        return (position, statement, ctx) ->
                statement.setArray(position, statement.getConnection().createArrayOf("text", column));
    }

    private static Argument integers(List<Outcome> rows, ToIntFunction<Outcome> value) {
        Object[] column = rows.stream().map(r -> value.applyAsInt(r)).toArray();
        return (position, statement, ctx) ->
                statement.setArray(position, statement.getConnection().createArrayOf("int4", column));
    }

    Result get(Request q) {
        Instant end = Objects.requireNonNullElseGet(q.endTime(), clock::instant);
        Instant start = q.startTime() != null
                ? q.startTime()
                : firstDay(end, Objects.requireNonNullElse(q.days(), DEFAULT_DAYS));
        return q.instanceId() == null ? daily(q, start, end) : instance(q, start, end);
    }

    /** The start of the UTC day {@code days - 1} days before {@code end}'s: {@code days} calendar days in all. */
    private static Instant firstDay(Instant end, int days) {
        return end.atOffset(ZoneOffset.UTC)
                .toLocalDate()
                .minusDays(days - 1L)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
    }

    private Result instance(Request q, Instant start, Instant end) {
        int size = Objects.requireNonNullElse(q.maxResults(), 100);
        String listing = "history/" + q.instanceId();
        long after = Long.parseLong(PageToken.decode(listing, q.nextToken()).orElse("0"));
        List<Object[]> rows = jdbi.withHandle(h -> h.createQuery("SELECT * FROM instance_compliance_history"
                        + " WHERE instance_id = :id AND recorded_at >= :start AND recorded_at <= :end AND id > :after"
                        + " ORDER BY id LIMIT :limit")
                .bind("id", q.instanceId())
                .bind("start", start)
                .bind("end", end)
                .bind("after", after)
                .bind("limit", size + 1)
                .map((rs, ctx) -> new Object[] {rs.getLong("id"), Entry.read(rs)})
                .list());
        List<Entry> entries = rows.stream().limit(size).map(r -> (Entry) r[1]).toList();
        String next = rows.size() > size ? PageToken.encode(listing, String.valueOf(rows.get(size - 1)[0])) : null;
        return new Result(entries, null, next);
    }

    /** Each day's last known status of every instance registered at the end of that day. */
    private Result daily(Request q, Instant start, Instant end) {
        LocalDate first = start.atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate last = end.atOffset(ZoneOffset.UTC).toLocalDate();
        if (first.plusDays(MAX_DAYS).isBefore(last)) {
            throw new ApiException.Invalid(
                    "ValidationException", "startTime and endTime may be at most " + MAX_DAYS + " days apart");
        }
        int size = Objects.requireNonNullElse(q.maxResults(), 100);
        String listing = "history-daily";
        LocalDate from = PageToken.decode(listing, q.nextToken())
                .map(d -> LocalDate.parse(d).plusDays(1))
                .orElse(first);
        LocalDate to = from.plusDays(size - 1L).isBefore(last) ? from.plusDays(size - 1L) : last;
        if (from.isAfter(last)) {
            return new Result(null, List.of(), null);
        }
        List<DailyCount> days = jdbi.withHandle(h -> h.createQuery("SELECT d.day, count(*) FILTER (WHERE"
                        + " s.compliance_status = 'COMPLIANT') AS compliant, count(*) FILTER (WHERE"
                        + " s.compliance_status = 'NON_COMPLIANT') AS non_compliant"
                        + " FROM (SELECT generate_series(CAST(:from AS date), CAST(:to AS date), interval '1 day')::date"
                        + " AS day) d LEFT JOIN LATERAL (SELECT DISTINCT ON (h.instance_id) h.compliance_status"
                        + " FROM instance_compliance_history h JOIN managed_instances i USING (instance_id)"
                        + " WHERE h.recorded_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC'"
                        + " AND (i.deregistered_at IS NULL OR i.deregistered_at >= (d.day + 1)::timestamp AT TIME ZONE 'UTC')"
                        + " ORDER BY h.instance_id, h.recorded_at DESC, h.id DESC) s ON true"
                        + " GROUP BY d.day ORDER BY d.day")
                .bind("from", from)
                .bind("to", to)
                .map((rs, ctx) -> new DailyCount(
                        rs.getObject("day", LocalDate.class).toString(),
                        rs.getInt("compliant"),
                        rs.getInt("non_compliant")))
                .list());
        String next = to.isBefore(last) ? PageToken.encode(listing, to.toString()) : null;
        return new Result(null, days, next);
    }
}
