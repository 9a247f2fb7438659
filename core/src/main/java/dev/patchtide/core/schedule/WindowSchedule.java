package dev.patchtide.core.schedule;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A maintenance window's schedule, as Systems Manager evaluates it: {@code cron(...)} (EventBridge's six
 * fields) or {@code at(yyyy-MM-ddTHH:mm:ss)} read as wall-clock time in {@code ScheduleTimezone} (UTC when
 * absent), {@code rate(n hours|days)} as fixed durations, {@code ScheduleOffset} days after each cron time,
 * and runs only between {@code StartDate} and {@code EndDate}.
 *
 * <p>Daylight saving time as AWS documents it for its zoned schedules: a cron time that the spring-forward
 * gap skips does not run that day, and a cron time the autumn fall-back repeats runs once, at its first
 * occurrence. A one-time {@code at(...)} inside a gap runs when the clock resumes (it would otherwise never
 * run). A rate's days are 24 hours whatever the zone.
 *
 * <p>{@code anchor} is when the schedule was set (window created, or its schedule last updated): cron times
 * before it never run, even when their offset day is still to come (AWS: "it takes effect in the next period").
 */
public final class WindowSchedule {
    /** Systems Manager accepts only hours and days for a window's rate (associations take minutes). */
    private static final Pattern RATE = Pattern.compile("^(\\d{1,9}) (hour|hours|day|days)$");

    private static final Pattern AT = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}$");
    private static final DateTimeFormatter EXECUTION_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mmXXX");

    /** A bad schedule member: {@link #member()} names it as the API does ({@code Schedule}, {@code ScheduleOffset}...). */
    public static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String member;

        Invalid(String member, String message) {
            super(message);
            this.member = member;
        }

        public String member() {
            return member;
        }
    }

    private sealed interface Rule permits Cron, Rate, At {}

    private record Cron(CronExpression expression) implements Rule {}

    private record Rate(Duration period) implements Rule {}

    private record At(LocalDateTime time) implements Rule {}

    private final Rule rule;
    private final ZoneId zone;
    private final int offsetDays;
    private final Optional<Instant> start;
    private final Optional<Instant> end;

    private WindowSchedule(Rule rule, ZoneId zone, int offsetDays, Optional<Instant> start, Optional<Instant> end) {
        this.rule = rule;
        this.zone = zone;
        this.offsetDays = offsetDays;
        this.start = start;
        this.end = end;
    }

    /**
     * Parses a window's schedule members; nulls are absent members.
     *
     * @throws Invalid naming the member that is wrong
     */
    public static WindowSchedule parse(
            String schedule, String timezone, Integer offsetDays, String startDate, String endDate) {
        if (schedule == null) {
            throw new Invalid("Schedule", "Schedule is missing");
        }
        ZoneId zone = zone(timezone);
        String t = schedule.strip();
        Rule rule;
        if (t.startsWith("cron(") && t.endsWith(")")) {
            try {
                rule = new Cron(CronExpression.parse(t.substring(5, t.length() - 1)));
            } catch (IllegalArgumentException e) {
                throw new Invalid("Schedule", "Schedule is not a valid cron expression: " + e.getMessage());
            }
        } else if (t.startsWith("rate(") && t.endsWith(")")) {
            rule = rate(t.substring(5, t.length() - 1));
        } else if (t.startsWith("at(") && t.endsWith(")")) {
            rule = at(t.substring(3, t.length() - 1));
        } else {
            throw new Invalid("Schedule", "Schedule must be cron(...), rate(...) or at(yyyy-MM-ddTHH:mm:ss)");
        }
        int offset = 0;
        if (offsetDays != null) {
            if (!(rule instanceof Cron)) {
                throw new Invalid("ScheduleOffset", "ScheduleOffset is supported only with a cron schedule");
            }
            if (offsetDays < 1 || offsetDays > 6) {
                throw new Invalid("ScheduleOffset", "ScheduleOffset must be between 1 and 6 days");
            }
            offset = offsetDays;
        }
        Optional<Instant> start = date("StartDate", startDate);
        Optional<Instant> end = date("EndDate", endDate);
        if (start.isPresent() && end.isPresent() && !end.get().isAfter(start.get())) {
            throw new Invalid("EndDate", "EndDate must be later than StartDate");
        }
        return new WindowSchedule(rule, zone, offset, start, end);
    }

    private static ZoneId zone(String timezone) {
        if (timezone == null) {
            return ZoneOffset.UTC;
        }
        // IANA region ids only: "+02:00" or "GMT+2" would dodge daylight saving time silently.
        if (!timezone.contains("/") && !timezone.equals("UTC")) {
            throw new Invalid("ScheduleTimezone", "ScheduleTimezone must be an IANA time zone such as Europe/Paris");
        }
        try {
            return ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw new Invalid("ScheduleTimezone", "ScheduleTimezone is not a known IANA time zone");
        }
    }

    private static Rate rate(String inner) {
        Matcher m = RATE.matcher(inner.strip());
        if (!m.matches()) {
            throw new Invalid("Schedule", "a window's rate must look like rate(4 hours) or rate(1 day)");
        }
        long value = Long.parseLong(m.group(1));
        boolean singular = !m.group(2).endsWith("s");
        if (value == 0) {
            throw new Invalid("Schedule", "rate value must be positive");
        }
        if (singular != (value == 1)) {
            throw new Invalid("Schedule", "rate unit must be singular for 1 and plural otherwise");
        }
        Duration one = m.group(2).startsWith("hour") ? Duration.ofHours(1) : Duration.ofDays(1);
        return new Rate(one.multipliedBy(value));
    }

    private static At at(String inner) {
        if (!AT.matcher(inner).matches()) {
            throw new Invalid("Schedule", "at() must look like at(2026-03-29T02:30:00)");
        }
        try {
            return new At(LocalDateTime.parse(inner));
        } catch (DateTimeParseException e) {
            throw new Invalid("Schedule", "at() names no real date and time");
        }
    }

    private static Optional<Instant> date(String member, String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            throw new Invalid(member, member + " must be an ISO-8601 date and time such as 2026-04-07T14:29:00-08:00");
        }
    }

    public ZoneId zone() {
        return zone;
    }

    public Optional<Instant> start() {
        return start;
    }

    public Optional<Instant> end() {
        return end;
    }

    /** Whether this schedule can run more than once (not an {@code at(...)}). */
    public boolean recurring() {
        return !(rule instanceof At);
    }

    /** The first run strictly after {@code after}, of a schedule set at {@code anchor}; empty if none is left. */
    public Optional<Instant> next(Instant after, Instant anchor) {
        Instant from =
                start.filter(s -> s.isAfter(after)).map(s -> s.minusNanos(1)).orElse(after);
        Optional<Instant> run =
                switch (rule) {
                    case Cron c -> nextCron(c.expression(), from, anchor);
                    case Rate r -> nextRate(r.period(), from, anchor);
                    case At a -> {
                        Instant when = ZonedDateTime.of(a.time(), zone).toInstant();
                        yield when.isAfter(from) && when.isAfter(anchor) ? Optional.of(when) : Optional.empty();
                    }
                };
        return run.filter(r -> end.isEmpty() || !r.isAfter(end.get()));
    }

    /** Up to {@code max} runs after {@code after}, in order. */
    public List<Instant> upcoming(Instant after, Instant anchor, int max) {
        List<Instant> runs = new ArrayList<>();
        Instant t = after;
        while (runs.size() < max) {
            Optional<Instant> n = next(t, anchor);
            if (n.isEmpty()) {
                break;
            }
            runs.add(n.get());
            t = n.get();
        }
        return runs;
    }

    /** A run time as Systems Manager writes it ({@code 2026-03-29T03:30+02:00}), in the window's zone. */
    public String format(Instant run) {
        return EXECUTION_TIME.format(run.atZone(zone));
    }

    private Optional<Instant> nextCron(CronExpression cron, Instant after, Instant anchor) {
        // Cron times up to offsetDays (+1 for zone shifts) before `after` may still have their run ahead.
        Instant lowest = after.minus(Duration.ofDays(offsetDays + 1L));
        Instant searchFrom = anchor.isAfter(lowest) ? anchor : lowest;
        LocalDateTime local = LocalDateTime.ofInstant(searchFrom, zone);
        while (true) {
            Optional<LocalDateTime> match = cron.nextLocal(local);
            if (match.isEmpty()) {
                return Optional.empty();
            }
            local = match.get();
            if (!ZonedDateTime.of(local, zone).toInstant().isAfter(anchor)) {
                continue;
            }
            LocalDateTime runLocal = local.plusDays(offsetDays);
            List<ZoneOffset> offsets = zone.getRules().getValidOffsets(runLocal);
            if (offsets.isEmpty()) {
                continue; // skipped by the spring-forward gap
            }
            // In the autumn overlap the first offset is the earlier instant: the repeated time runs once.
            Instant run = runLocal.toInstant(offsets.get(0));
            if (run.isAfter(after)) {
                return Optional.of(run);
            }
            if (end.isPresent() && run.isAfter(end.get())) {
                return Optional.empty();
            }
        }
    }

    private Optional<Instant> nextRate(Duration period, Instant after, Instant anchor) {
        // As AWS: a start date in the past counts from when the schedule was set.
        Instant base = start.filter(s -> s.isAfter(anchor)).orElse(anchor);
        if (after.isBefore(base)) {
            return Optional.of(base.plus(period));
        }
        long periods = Duration.between(base, after).toMillis() / period.toMillis();
        return Optional.of(base.plus(period.multipliedBy(periods + 1)));
    }
}
