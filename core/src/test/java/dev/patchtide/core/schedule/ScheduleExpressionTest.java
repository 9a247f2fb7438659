package dev.patchtide.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleExpressionTest {

    static Instant at(String iso) {
        return Instant.parse(iso);
    }

    /** The next {@code n} fire times after {@code from}. */
    static List<String> next(String expression, String from, int n) {
        ScheduleExpression e = ScheduleExpression.parse(expression);
        List<String> times = new ArrayList<>();
        Instant t = at(from);
        for (int i = 0; i < n; i++) {
            t = e.firstAfter(t).orElseThrow();
            times.add(t.toString());
        }
        return times;
    }

    @Test
    void everyDayAtNoon() {
        assertThat(next("cron(0 12 * * ? *)", "2026-03-10T12:00:00Z", 2))
                .containsExactly("2026-03-11T12:00:00Z", "2026-03-12T12:00:00Z");
        assertThat(next("cron(0 12 * * ? *)", "2026-03-10T11:59:59Z", 1)).containsExactly("2026-03-10T12:00:00Z");
    }

    @Test
    void stepsRangesListsAndNames() {
        assertThat(next("cron(0/15 * * * ? *)", "2026-03-10T10:07:00Z", 3))
                .containsExactly("2026-03-10T10:15:00Z", "2026-03-10T10:30:00Z", "2026-03-10T10:45:00Z");
        assertThat(next("cron(*/20 8-9 * * ? *)", "2026-03-10T09:41:00Z", 2))
                .containsExactly("2026-03-11T08:00:00Z", "2026-03-11T08:20:00Z");
        // Weekdays at 10:15 UTC (2026-03-13 is a Friday).
        assertThat(next("cron(15 10 ? * MON-FRI *)", "2026-03-13T11:00:00Z", 2))
                .containsExactly("2026-03-16T10:15:00Z", "2026-03-17T10:15:00Z");
        assertThat(next("cron(0 18 ? * 2,6 *)", "2026-03-10T00:00:00Z", 2))
                .containsExactly("2026-03-13T18:00:00Z", "2026-03-16T18:00:00Z");
        assertThat(next("cron(0 0 1 JAN,jul ? *)", "2026-03-10T00:00:00Z", 2))
                .containsExactly("2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z");
        assertThat(next("cron(0 0 1 1-12/6 ? *)", "2026-03-10T00:00:00Z", 1)).containsExactly("2026-07-01T00:00:00Z");
    }

    @Test
    void lastDayWeekdayNearestAndNth() {
        assertThat(next("cron(0 0 L * ? *)", "2026-02-01T00:00:00Z", 2))
                .containsExactly("2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z");
        // 2026-05-31 is a Sunday: the last weekday of May is Friday the 29th.
        assertThat(next("cron(0 0 LW * ? *)", "2026-05-01T00:00:00Z", 1)).containsExactly("2026-05-29T00:00:00Z");
        // 2026-03-15 is a Sunday: nearest weekday is Monday the 16th; 2026-08-01 is a Saturday: Monday the 3rd.
        assertThat(next("cron(0 0 15W * ? *)", "2026-03-01T00:00:00Z", 1)).containsExactly("2026-03-16T00:00:00Z");
        assertThat(next("cron(0 0 1W * ? *)", "2026-07-02T00:00:00Z", 1)).containsExactly("2026-08-03T00:00:00Z");
        // Last Friday of the month; second Tuesday (Patch Tuesday).
        assertThat(next("cron(0 22 ? * 6L *)", "2026-03-01T00:00:00Z", 1)).containsExactly("2026-03-27T22:00:00Z");
        assertThat(next("cron(0 22 ? * FRIL *)", "2026-03-01T00:00:00Z", 1)).containsExactly("2026-03-27T22:00:00Z");
        assertThat(next("cron(0 18 ? * TUE#2 *)", "2026-03-01T00:00:00Z", 2))
                .containsExactly("2026-03-10T18:00:00Z", "2026-04-14T18:00:00Z");
    }

    @Test
    void yearsBoundTheSchedule() {
        assertThat(next("cron(0 0 1 1 ? 2027-2028)", "2026-03-01T00:00:00Z", 2))
                .containsExactly("2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z");
        ScheduleExpression once = ScheduleExpression.parse("cron(0 0 1 1 ? 2027)");
        assertThat(once.firstAfter(at("2027-01-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void cronAfterDowntimeFiresOnceThenKeepsItsRhythm() {
        ScheduleExpression hourly = ScheduleExpression.parse("cron(0 * * * ? *)");
        Instant due = at("2026-03-10T10:00:00Z");
        assertThat(hourly.nextAfter(due, at("2026-03-10T15:30:00Z"))).contains(at("2026-03-10T16:00:00Z"));
    }

    @Test
    void rates() {
        ScheduleExpression five = ScheduleExpression.parse("rate(5 minutes)");
        assertThat(five).isEqualTo(new RateExpression(Duration.ofMinutes(5)));
        assertThat(five.firstAfter(at("2026-03-10T10:00:30Z"))).contains(at("2026-03-10T10:05:30Z"));
        // After downtime: once, at the next slot of the original rhythm.
        assertThat(five.nextAfter(at("2026-03-10T10:05:30Z"), at("2026-03-10T10:27:00Z")))
                .contains(at("2026-03-10T10:30:30Z"));
        assertThat(five.nextAfter(at("2026-03-10T10:05:30Z"), at("2026-03-10T10:05:30Z")))
                .contains(at("2026-03-10T10:10:30Z"));
        assertThat(ScheduleExpression.parse("rate(1 hour)")).isEqualTo(new RateExpression(Duration.ofHours(1)));
        assertThat(ScheduleExpression.parse("rate(1 minute)")).isEqualTo(new RateExpression(Duration.ofMinutes(1)));
        assertThat(ScheduleExpression.parse("rate(7 days)")).isEqualTo(new RateExpression(Duration.ofDays(7)));
    }

    @Test
    void invalidExpressionsAreRefused() {
        for (String bad : new String[] {
            "cron(0 12 * * * *)", // both day fields given
            "cron(0 12 ? * ? *)", // neither
            "cron(0 12 * * ?)", // five fields
            "cron(0 12 * * ? * *)", // seven fields
            "cron(60 12 * * ? *)",
            "cron(0 24 * * ? *)",
            "cron(0 0 32 * ? *)",
            "cron(0 0 0 * ? *)",
            "cron(0 0 ? 13 MON *)",
            "cron(0 0 ? * 8 *)",
            "cron(0 0 ? * MON#6 *)",
            "cron(0 0 ? * FOO *)",
            "cron(0 0 1 * ? 1969)",
            "cron(0 0 1 * ? 2200)",
            "cron(5-1 0 1 * ? *)",
            "cron(0/0 0 1 * ? *)",
            "cron(0,,5 0 1 * ? *)",
            "cron(0 0 40W * ? *)",
            "rate(0 minutes)",
            "rate(1 minutes)",
            "rate(5 minute)",
            "rate(5 weeks)",
            "rate(-5 minutes)",
            "rate(five minutes)",
            "at(2026-01-01T00:00:00)",
            "every 5 minutes",
            ""
        }) {
            assertThatThrownBy(() -> ScheduleExpression.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
