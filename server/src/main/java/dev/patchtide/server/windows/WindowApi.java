package dev.patchtide.server.windows;

import dev.patchtide.core.schedule.WindowSchedule;
import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.FilterKeys;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.fleet.TagApi;
import dev.patchtide.server.windows.WindowMessages.CreateMaintenanceWindowRequest;
import dev.patchtide.server.windows.WindowMessages.CreateMaintenanceWindowResult;
import dev.patchtide.server.windows.WindowMessages.DescribeMaintenanceWindowsRequest;
import dev.patchtide.server.windows.WindowMessages.DescribeMaintenanceWindowsResult;
import dev.patchtide.server.windows.WindowMessages.Filter;
import dev.patchtide.server.windows.WindowMessages.GetMaintenanceWindowResult;
import dev.patchtide.server.windows.WindowMessages.MaintenanceWindowIdentity;
import dev.patchtide.server.windows.WindowMessages.UpdateMaintenanceWindowRequest;
import dev.patchtide.server.windows.WindowMessages.UpdateMaintenanceWindowResult;
import dev.patchtide.server.windows.WindowMessages.WindowIdRequest;
import dev.patchtide.server.windows.WindowMessages.WindowIdResult;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** CreateMaintenanceWindow, Get, Update, Delete and DescribeMaintenanceWindows. */
final class WindowApi {
    static final String RESOURCE_TYPE = "MaintenanceWindow";
    /** AWS's default quota of maintenance windows per account and Region. */
    static final int MAX_WINDOWS = 50;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final InstantSource clock;
    private final TagApi tags;
    private final WindowEvents events;
    private final Runnable wake;

    WindowApi(Jdbi jdbi, InstantSource clock, TagApi tags, WindowEvents events, Runnable wake) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.tags = tags;
        this.events = events;
        this.wake = wake;
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "AmazonSSM.CreateMaintenanceWindow",
                CreateMaintenanceWindowRequest.class,
                Access.adminOnly(),
                (q, who) -> create(q)));
        router.register(new Action<>(
                "AmazonSSM.GetMaintenanceWindow", WindowIdRequest.class, Access.adminOnly(), (q, who) -> get(q)));
        router.register(new Action<>(
                "AmazonSSM.UpdateMaintenanceWindow",
                UpdateMaintenanceWindowRequest.class,
                Access.adminOnly(),
                (q, who) -> update(q)));
        router.register(new Action<>(
                "AmazonSSM.DeleteMaintenanceWindow", WindowIdRequest.class, Access.adminOnly(), (q, who) -> delete(q)));
        router.register(new Action<>(
                "AmazonSSM.DescribeMaintenanceWindows",
                DescribeMaintenanceWindowsRequest.class,
                Access.adminOnly(),
                (q, who) -> describe(q)));
    }

    /** Parses the schedule members, answering AWS's ValidationException naming the member that is wrong. */
    static WindowSchedule schedule(
            String schedule, String timezone, Integer offset, String startDate, String endDate, Instant now) {
        WindowSchedule parsed;
        try {
            parsed = WindowSchedule.parse(schedule, timezone, offset, startDate, endDate);
        } catch (WindowSchedule.Invalid e) {
            String member =
                    Character.toLowerCase(e.member().charAt(0)) + e.member().substring(1);
            throw ApiException.validation("1 validation error detected: Value at '" + member
                    + "' failed to satisfy constraint: " + e.getMessage());
        }
        if (parsed.end().isPresent() && !parsed.end().get().isAfter(now)) {
            throw ApiException.validation("1 validation error detected: Value at 'endDate' failed to satisfy"
                    + " constraint: EndDate must be in the future");
        }
        return parsed;
    }

    static void cutoffWithinDuration(int duration, int cutoff) {
        if (cutoff >= duration) {
            throw ApiException.validation("1 validation error detected: Value '" + cutoff + "' at 'cutoff' failed to"
                    + " satisfy constraint: Cutoff must be less than the window's Duration (" + duration + " hours)");
        }
    }

    private CreateMaintenanceWindowResult create(CreateMaintenanceWindowRequest q) {
        Instant now = clock.instant();
        WindowSchedule parsed =
                schedule(q.schedule(), q.scheduleTimezone(), q.scheduleOffset(), q.startDate(), q.endDate(), now);
        cutoffWithinDuration(q.duration(), q.cutoff());
        String id = jdbi.inTransaction(h -> {
            if (q.clientToken() != null) {
                Optional<WindowRow> earlier = h.createQuery(
                                "SELECT " + WindowRow.COLUMNS + " FROM maintenance_windows WHERE client_token = :t")
                        .bind("t", q.clientToken())
                        .map((rs, ctx) -> WindowRow.map(rs))
                        .findOne();
                if (earlier.isPresent()) {
                    WindowRow w = earlier.get();
                    boolean same = w.name().equals(q.name())
                            && w.schedule().equals(q.schedule())
                            && w.duration() == q.duration()
                            && w.cutoff() == q.cutoff()
                            && Objects.equals(w.description(), q.description())
                            && Objects.equals(w.scheduleTimezone(), q.scheduleTimezone());
                    if (!same) {
                        throw new ApiException.Conflict(
                                "IdempotentParameterMismatch",
                                "ClientToken " + Validation.clip(q.clientToken())
                                        + " was used before with different parameters.");
                    }
                    return w.windowId();
                }
            }
            int count = h.createQuery("SELECT count(*) FROM maintenance_windows")
                    .mapTo(Integer.class)
                    .one();
            if (count >= MAX_WINDOWS) {
                throw new ApiException.LimitExceeded(
                        "ResourceLimitExceededException",
                        "A Region can have at most " + MAX_WINDOWS + " maintenance windows.");
            }
            String windowId = "mw-" + HexFormat.of().formatHex(randomBytes()).substring(0, 17);
            h.createUpdate("INSERT INTO maintenance_windows (window_id, name, description, schedule,"
                            + " schedule_timezone, schedule_offset, start_date, end_date, duration_hours, cutoff_hours,"
                            + " allow_unassociated, enabled, client_token, created_at, modified_at, schedule_anchor,"
                            + " next_run_at) VALUES (:id, :name, :description, :schedule, :tz, :offset, :start, :end,"
                            + " :duration, :cutoff, :allow, true, :token, :now, :now, :now, :next)")
                    .bind("id", windowId)
                    .bind("name", q.name())
                    .bind("description", q.description())
                    .bind("schedule", q.schedule())
                    .bind("tz", q.scheduleTimezone())
                    .bind("offset", q.scheduleOffset())
                    .bind("start", q.startDate())
                    .bind("end", q.endDate())
                    .bind("duration", q.duration())
                    .bind("cutoff", q.cutoff())
                    .bind("allow", q.allowUnassociatedTargets())
                    .bind("token", q.clientToken())
                    .bind("now", now)
                    .bind("next", parsed.next(now, now).orElse(null))
                    .execute();
            tags.tagNewResource(h, RESOURCE_TYPE, windowId, q.tags());
            events.windowStateChanged(h, windowId, true);
            return windowId;
        });
        wake.run();
        return new CreateMaintenanceWindowResult(id);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[9];
        RANDOM.nextBytes(b);
        return b;
    }

    private GetMaintenanceWindowResult get(WindowIdRequest q) {
        WindowRow w = jdbi.withHandle(h -> WindowRow.require(h, q.windowId(), false));
        return new GetMaintenanceWindowResult(
                w.windowId(),
                w.name(),
                w.description(),
                w.startDate(),
                w.endDate(),
                w.schedule(),
                w.scheduleTimezone(),
                w.scheduleOffset(),
                w.nextExecutionTime().orElse(null),
                w.duration(),
                w.cutoff(),
                w.allowUnassociatedTargets(),
                w.enabled(),
                w.createdAt(),
                w.modifiedAt());
    }

    private UpdateMaintenanceWindowResult update(UpdateMaintenanceWindowRequest q) {
        Instant now = clock.instant();
        boolean replace = Boolean.TRUE.equals(q.replace());
        WindowRow updated = jdbi.inTransaction(h -> {
            WindowRow w = WindowRow.require(h, q.windowId(), true);
            if (replace) {
                Validation v = new Validation();
                v.required("name", q.name())
                        .required("schedule", q.schedule())
                        .required("duration", q.duration())
                        .required("cutoff", q.cutoff())
                        .required("allowUnassociatedTargets", q.allowUnassociatedTargets())
                        .throwIfInvalid();
            }
            WindowRow next = new WindowRow(
                    w.windowId(),
                    pick(q.name(), w.name(), replace),
                    pick(q.description(), w.description(), replace),
                    pick(q.schedule(), w.schedule(), replace),
                    pick(q.scheduleTimezone(), w.scheduleTimezone(), replace),
                    WindowApi.<Integer>pick(q.scheduleOffset(), w.scheduleOffset(), replace),
                    pick(q.startDate(), w.startDate(), replace),
                    pick(q.endDate(), w.endDate(), replace),
                    WindowApi.<Integer>pick(q.duration(), w.duration(), replace),
                    WindowApi.<Integer>pick(q.cutoff(), w.cutoff(), replace),
                    WindowApi.<Boolean>pick(q.allowUnassociatedTargets(), w.allowUnassociatedTargets(), replace),
                    q.enabled() == null ? (replace || w.enabled()) : q.enabled(),
                    w.createdAt(),
                    now,
                    w.scheduleAnchor(),
                    w.nextRunAt());
            schedule(
                    next.schedule(),
                    next.scheduleTimezone(),
                    next.scheduleOffset(),
                    next.startDate(),
                    next.endDate(),
                    now);
            cutoffWithinDuration(next.duration(), next.cutoff());
            boolean scheduleChanged = !Objects.equals(next.schedule(), w.schedule())
                    || !Objects.equals(next.scheduleTimezone(), w.scheduleTimezone())
                    || !Objects.equals(next.scheduleOffset(), w.scheduleOffset())
                    || !Objects.equals(next.startDate(), w.startDate())
                    || !Objects.equals(next.endDate(), w.endDate());
            Instant anchor = scheduleChanged ? now : w.scheduleAnchor();
            WindowRow stored = new WindowRow(
                    next.windowId(),
                    next.name(),
                    next.description(),
                    next.schedule(),
                    next.scheduleTimezone(),
                    next.scheduleOffset(),
                    next.startDate(),
                    next.endDate(),
                    next.duration(),
                    next.cutoff(),
                    next.allowUnassociatedTargets(),
                    next.enabled(),
                    w.createdAt(),
                    now,
                    anchor,
                    Optional.empty());
            Optional<Instant> nextRun = stored.nextRun(now);
            h.createUpdate("UPDATE maintenance_windows SET name = :name, description = :description,"
                            + " schedule = :schedule, schedule_timezone = :tz, schedule_offset = :offset,"
                            + " start_date = :start, end_date = :end, duration_hours = :duration,"
                            + " cutoff_hours = :cutoff, allow_unassociated = :allow, enabled = :enabled,"
                            + " modified_at = :now, schedule_anchor = :anchor, next_run_at = :next"
                            + " WHERE window_id = :id")
                    .bind("id", w.windowId())
                    .bind("name", stored.name())
                    .bind("description", stored.description())
                    .bind("schedule", stored.schedule())
                    .bind("tz", stored.scheduleTimezone())
                    .bind("offset", stored.scheduleOffset())
                    .bind("start", stored.startDate())
                    .bind("end", stored.endDate())
                    .bind("duration", stored.duration())
                    .bind("cutoff", stored.cutoff())
                    .bind("allow", stored.allowUnassociatedTargets())
                    .bind("enabled", stored.enabled())
                    .bind("now", now)
                    .bind("anchor", anchor)
                    .bind("next", nextRun.orElse(null))
                    .execute();
            if (stored.enabled() != w.enabled()) {
                events.windowStateChanged(h, w.windowId(), stored.enabled());
            }
            return stored;
        });
        wake.run();
        return new UpdateMaintenanceWindowResult(
                updated.windowId(),
                updated.name(),
                updated.description(),
                updated.startDate(),
                updated.endDate(),
                updated.schedule(),
                updated.scheduleTimezone(),
                updated.scheduleOffset(),
                updated.duration(),
                updated.cutoff(),
                updated.allowUnassociatedTargets(),
                updated.enabled());
    }

    /** Update's rule: a member given replaces; one left out keeps its value, or is cleared with Replace. */
    private static <T> T pick(T given, T current, boolean replace) {
        return given != null || replace ? given : current;
    }

    private WindowIdResult delete(WindowIdRequest q) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM maintenance_windows WHERE window_id = :id")
                    .bind("id", q.windowId())
                    .execute();
            h.createUpdate("DELETE FROM resource_tags WHERE resource_type = :type AND resource_id = :id")
                    .bind("type", RESOURCE_TYPE)
                    .bind("id", q.windowId())
                    .execute();
        });
        // As AWS: deleting a window that does not exist (any more) succeeds.
        return new WindowIdResult(q.windowId());
    }

    private DescribeMaintenanceWindowsResult describe(DescribeMaintenanceWindowsRequest q) {
        StringBuilder where = new StringBuilder(" WHERE window_id > :after");
        List<String> names = List.of();
        Boolean enabled = null;
        FilterKeys once = new FilterKeys("ValidationException");
        for (Filter f : q.filters() == null ? List.<Filter>of() : q.filters()) {
            once.once(f.key());
            List<String> values = f.values() == null ? List.of() : f.values();
            switch (f.key()) {
                case "Name" -> names = values;
                case "Enabled" -> {
                    if (values.size() != 1
                            || !(values.get(0).equals("true") || values.get(0).equals("false"))) {
                        throw ApiException.validation("The Enabled filter takes one value, true or false.");
                    }
                    enabled = Boolean.parseBoolean(values.get(0));
                }
                default ->
                    throw ApiException.validation("The filter key " + Validation.clip(f.key())
                            + " isn't valid for DescribeMaintenanceWindows; valid keys are Name and Enabled.");
            }
        }
        if (!names.isEmpty()) {
            where.append(" AND name = ANY(:names)");
        }
        if (enabled != null) {
            where.append(" AND enabled = :enabled");
        }
        int limit = q.maxResults() == null ? 50 : q.maxResults();
        String after = PageToken.decode("windows", q.nextToken()).orElse("");
        List<String> nameFilter = names;
        Boolean enabledFilter = enabled;
        List<WindowRow> rows = jdbi.withHandle(h -> {
            var query = h.createQuery("SELECT " + WindowRow.COLUMNS + " FROM maintenance_windows" + where
                            + " ORDER BY window_id LIMIT :limit")
                    .bind("after", after)
                    .bind("limit", limit + 1);
            if (!nameFilter.isEmpty()) {
                query.bindArray("names", String.class, nameFilter);
            }
            if (enabledFilter != null) {
                query.bind("enabled", enabledFilter);
            }
            return query.map((rs, ctx) -> WindowRow.map(rs)).list();
        });
        String token = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            token = PageToken.encode("windows", rows.get(limit - 1).windowId());
        }
        return new DescribeMaintenanceWindowsResult(
                rows.stream().map(WindowApi::identity).toList(), token);
    }

    private static MaintenanceWindowIdentity identity(WindowRow w) {
        return new MaintenanceWindowIdentity(
                w.windowId(),
                w.name(),
                w.description(),
                w.enabled(),
                w.duration(),
                w.cutoff(),
                w.schedule(),
                w.scheduleTimezone(),
                w.scheduleOffset(),
                w.endDate(),
                w.startDate(),
                w.nextExecutionTime().orElse(null));
    }

    /** Locks a window for the tagging actions; its id if it exists. */
    static Optional<String> lockForTagging(Handle h, String windowId) {
        return WindowRow.find(h, windowId, true).map(WindowRow::windowId);
    }
}
