package dev.patchtide.core.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EventBridge's six-field cron, in UTC: minutes (0-59), hours (0-23), day-of-month (1-31, {@code L},
 * {@code LW}, {@code nW}), month (1-12 or JAN-DEC), day-of-week (1-7 or SUN-SAT, {@code nL} for the last
 * such day of the month, {@code n#k} for the k-th), year (1970-2199). Exactly one of day-of-month and
 * day-of-week is {@code ?}. Fields take {@code *}, values, ranges, steps and lists.
 */
public final class CronExpression implements ScheduleExpression {
    static final int FIRST_YEAR = 1970;
    static final int LAST_YEAR = 2199;

    private static final Pattern NEAREST_WEEKDAY = Pattern.compile("^(\\d{1,2})W$");
    private static final Pattern LAST_WEEKDAY_OF = Pattern.compile("^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)L$");
    private static final Pattern NTH_WEEKDAY = Pattern.compile("^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)#([1-5])$");

    /** How the day is chosen: by day of month or by day of week. */
    private sealed interface DayRule {
        boolean matches(LocalDate date);
    }

    private record DaysOfMonth(BitSet days) implements DayRule {
        public boolean matches(LocalDate d) {
            return days.get(d.getDayOfMonth());
        }
    }

    private record LastDayOfMonth() implements DayRule {
        public boolean matches(LocalDate d) {
            return d.getDayOfMonth() == d.lengthOfMonth();
        }
    }

    /** {@code nW}: the weekday nearest to day n, not leaving the month; {@code LW} (n = 0): the last weekday. */
    private record NearestWeekday(int day) implements DayRule {
        public boolean matches(LocalDate d) {
            int target = day == 0 ? d.lengthOfMonth() : Math.min(day, d.lengthOfMonth());
            LocalDate t = d.withDayOfMonth(target);
            if (t.getDayOfWeek() == DayOfWeek.SATURDAY) {
                t = target == 1 ? t.plusDays(2) : t.minusDays(1);
            } else if (t.getDayOfWeek() == DayOfWeek.SUNDAY) {
                t = target == d.lengthOfMonth() ? t.minusDays(2) : t.plusDays(1);
            }
            return t.equals(d);
        }
    }

    private record DaysOfWeek(BitSet days) implements DayRule {
        public boolean matches(LocalDate d) {
            return days.get(awsDay(d));
        }
    }

    private record LastWeekdayOf(int day) implements DayRule {
        public boolean matches(LocalDate d) {
            return awsDay(d) == day && d.plusDays(7).getMonthValue() != d.getMonthValue();
        }
    }

    private record NthWeekday(int day, int nth) implements DayRule {
        public boolean matches(LocalDate d) {
            return awsDay(d) == day && (d.getDayOfMonth() - 1) / 7 + 1 == nth;
        }
    }

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final DayRule days;
    private final BitSet months;
    private final BitSet years;

    private CronExpression(String text, BitSet minutes, BitSet hours, DayRule days, BitSet months, BitSet years) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.days = days;
        this.months = months;
        this.years = years;
    }

    static CronExpression parse(String inner) {
        String[] f = inner.strip().split("\\s+");
        if (f.length != 6) {
            throw new IllegalArgumentException(
                    "cron needs 6 fields (minutes hours day-of-month month day-of-week" + " year), got " + f.length);
        }
        BitSet minutes = CronField.parse(f[0], "minutes", 0, 59, Map.of());
        BitSet hours = CronField.parse(f[1], "hours", 0, 23, Map.of());
        BitSet months = CronField.parse(f[3], "month", 1, 12, CronField.MONTHS);
        BitSet years = CronField.parse(f[5], "year", FIRST_YEAR, LAST_YEAR, Map.of());
        boolean domAny = f[2].equals("?");
        boolean dowAny = f[4].equals("?");
        if (domAny == dowAny) {
            throw new IllegalArgumentException("exactly one of day-of-month and day-of-week must be ?");
        }
        DayRule days = domAny ? dayOfWeek(f[4]) : dayOfMonth(f[2]);
        return new CronExpression("cron(" + inner + ")", minutes, hours, days, months, years);
    }

    private static DayRule dayOfMonth(String field) {
        if (field.equals("L")) {
            return new LastDayOfMonth();
        }
        if (field.equals("LW")) {
            return new NearestWeekday(0);
        }
        Matcher w = NEAREST_WEEKDAY.matcher(field);
        if (w.matches()) {
            int day = Integer.parseInt(w.group(1));
            if (day < 1 || day > 31) {
                throw CronField.bad("day-of-month", field);
            }
            return new NearestWeekday(day);
        }
        return new DaysOfMonth(CronField.parse(field, "day-of-month", 1, 31, Map.of()));
    }

    private static DayRule dayOfWeek(String field) {
        String upper = field.toUpperCase(java.util.Locale.ROOT);
        if (upper.equals("L")) {
            return new LastWeekdayOf(7);
        }
        Matcher last = LAST_WEEKDAY_OF.matcher(upper);
        if (last.matches()) {
            return new LastWeekdayOf(CronField.number(last.group(1), "day-of-week", field, CronField.DAYS));
        }
        Matcher nth = NTH_WEEKDAY.matcher(upper);
        if (nth.matches()) {
            return new NthWeekday(
                    CronField.number(nth.group(1), "day-of-week", field, CronField.DAYS),
                    Integer.parseInt(nth.group(2)));
        }
        return new DaysOfWeek(CronField.parse(field, "day-of-week", 1, 7, CronField.DAYS));
    }

    /** 1 = Sunday ... 7 = Saturday, as EventBridge numbers them. */
    static int awsDay(LocalDate d) {
        return d.getDayOfWeek().getValue() % 7 + 1;
    }

    /** The first time strictly after {@code t} the expression matches; empty after 2199. */
    public Optional<Instant> next(Instant t) {
        return nextLocal(LocalDateTime.ofInstant(t, ZoneOffset.UTC)).map(c -> c.toInstant(ZoneOffset.UTC));
    }

    /**
     * The first wall-clock minute strictly after {@code after} the fields match, with no time zone in play: the
     * caller decides what a local time that a zone skips or repeats means. Empty after 2199.
     */
    Optional<LocalDateTime> nextLocal(LocalDateTime after) {
        LocalDateTime c = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        while (c.getYear() <= LAST_YEAR) {
            if (!years.get(c.getYear())) {
                int nextYear = years.nextSetBit(c.getYear() + 1);
                if (nextYear < 0) {
                    return Optional.empty();
                }
                c = LocalDateTime.of(nextYear, 1, 1, 0, 0);
                continue;
            }
            if (!months.get(c.getMonthValue())) {
                c = c.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
                continue;
            }
            if (!days.matches(c.toLocalDate())) {
                c = c.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            if (!hours.get(c.getHour())) {
                int nextHour = hours.nextSetBit(c.getHour() + 1);
                c = nextHour < 0
                        ? c.toLocalDate().plusDays(1).atStartOfDay()
                        : c.toLocalDate().atTime(nextHour, 0);
                continue;
            }
            int nextMinute = minutes.nextSetBit(c.getMinute());
            if (nextMinute < 0) {
                c = c.truncatedTo(ChronoUnit.HOURS).plusHours(1);
                continue;
            }
            return Optional.of(c.withMinute(nextMinute));
        }
        return Optional.empty();
    }

    @Override
    public Optional<Instant> firstAfter(Instant now) {
        return next(now);
    }

    @Override
    public Optional<Instant> nextAfter(Instant lastDue, Instant now) {
        return next(lastDue.isAfter(now) ? lastDue : now);
    }

    @Override
    public String toString() {
        return text;
    }
}
