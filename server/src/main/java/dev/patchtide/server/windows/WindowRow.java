package dev.patchtide.server.windows;

import dev.patchtide.core.schedule.WindowSchedule;
import dev.patchtide.server.api.ApiException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** One maintenance window as stored, and the queries every part of the feature shares. */
record WindowRow(
        String windowId,
        String name,
        String description,
        String schedule,
        String scheduleTimezone,
        Integer scheduleOffset,
        String startDate,
        String endDate,
        int duration,
        int cutoff,
        boolean allowUnassociatedTargets,
        boolean enabled,
        Instant createdAt,
        Instant modifiedAt,
        Instant scheduleAnchor,
        Optional<Instant> nextRunAt) {

    static final String COLUMNS = "window_id, name, description, schedule, schedule_timezone, schedule_offset,"
            + " start_date, end_date, duration_hours, cutoff_hours, allow_unassociated, enabled, created_at,"
            + " modified_at, schedule_anchor, next_run_at";

    static WindowRow map(ResultSet rs) throws SQLException {
        Timestamp next = rs.getTimestamp("next_run_at");
        return new WindowRow(
                rs.getString("window_id"),
                rs.getString("name"),
                rs.getString("description"),
                rs.getString("schedule"),
                rs.getString("schedule_timezone"),
                (Integer) rs.getObject("schedule_offset"),
                rs.getString("start_date"),
                rs.getString("end_date"),
                rs.getInt("duration_hours"),
                rs.getInt("cutoff_hours"),
                rs.getBoolean("allow_unassociated"),
                rs.getBoolean("enabled"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("modified_at").toInstant(),
                rs.getTimestamp("schedule_anchor").toInstant(),
                Optional.ofNullable(next).map(Timestamp::toInstant));
    }

    WindowSchedule parsedSchedule() {
        return WindowSchedule.parse(schedule, scheduleTimezone, scheduleOffset, startDate, endDate);
    }

    /** The next run after {@code now}, when the window is enabled and has one left. */
    Optional<Instant> nextRun(Instant now) {
        return enabled ? parsedSchedule().next(now, scheduleAnchor) : Optional.empty();
    }

    Optional<String> nextExecutionTime() {
        return nextRunAt.map(t -> parsedSchedule().format(t));
    }

    static Optional<WindowRow> find(Handle h, String windowId, boolean lock) {
        return h.createQuery("SELECT " + COLUMNS + " FROM maintenance_windows WHERE window_id = :id"
                        + (lock ? " FOR UPDATE" : ""))
                .bind("id", windowId)
                .map((rs, ctx) -> map(rs))
                .findOne();
    }

    static WindowRow require(Handle h, String windowId, boolean lock) {
        return find(h, windowId, lock).orElseThrow(() -> notFound("Maintenance window " + windowId));
    }

    static ApiException.NotFound notFound(String what) {
        return new ApiException.NotFound("DoesNotExistException", what + " does not exist.");
    }
}
