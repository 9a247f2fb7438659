package dev.patchtide.core.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Europe/Paris in 2026: summer time starts 29 March (02:00 -> 03:00), ends 25 October (03:00 -> 02:00). */
class WindowScheduleTest {
    private static final Instant LONG_AGO = Instant.parse("2020-01-01T00:00:00Z");

    private static List<String> runs(WindowSchedule s, String after, int n) {
        return s.upcoming(Instant.parse(after), LONG_AGO, n).stream()
                .map(Instant::toString)
                .toList();
    }

    private static WindowSchedule paris(String expression) {
        return WindowSchedule.parse(expression, "Europe/Paris", null, null, null);
    }

    @Test
    void aCronTimeTheSpringGapSkipsDoesNotRunThatDay() {
        // 02:30 does not exist in Paris on 29 March: that day has no run; the next days run at 02:30 CEST.
        assertThat(runs(paris("cron(30 2 ? * * *)"), "2026-03-27T12:00:00Z", 3))
                .containsExactly("2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z");
    }

    @Test
    void aCronTimeTheAutumnOverlapRepeatsRunsOnceAtItsFirstOccurrence() {
        assertThat(runs(paris("cron(30 2 ? * * *)"), "2026-10-23T12:00:00Z", 3))
                .containsExactly("2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z");
        // Every half hour: 02:00 and 02:30 run in summer time only; the repeated hour adds nothing.
        assertThat(runs(paris("cron(0/30 * ? * * *)"), "2026-10-24T23:50:00Z", 4))
                .containsExactly(
                        "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T02:00:00Z", "2026-10-25T02:30:00Z");
        // A time of the repeated hour asked for from inside its second pass waits for the next day.
        assertThat(runs(paris("cron(30 2 ? * * *)"), "2026-10-25T01:10:00Z", 1))
                .containsExactly("2026-10-26T01:30:00Z");
    }

    @Test
    void wallClockTimeStaysPutAcrossBothChanges() {
        WindowSchedule mondays = paris("cron(0 9 ? * MON *)");
        assertThat(runs(mondays, "2026-03-22T00:00:00Z", 2))
                .containsExactly("2026-03-23T08:00:00Z", "2026-03-30T07:00:00Z");
        assertThat(runs(mondays, "2026-10-18T00:00:00Z", 2))
                .containsExactly("2026-10-19T07:00:00Z", "2026-10-26T08:00:00Z");
        // Every 4 hours on the spring-forward night: 00:00 CET, then 04:00 CEST, two real hours later.
        assertThat(runs(paris("cron(0 0/4 ? * * *)"), "2026-03-28T22:00:00Z", 2))
                .containsExactly("2026-03-28T23:00:00Z", "2026-03-29T02:00:00Z");
    }

    @Test
    void withoutATimeZoneCronIsUtcAsEventBridge() {
        WindowSchedule utc = WindowSchedule.parse("cron(30 2 ? * * *)", null, null, null, null);
        assertThat(runs(utc, "2026-03-28T12:00:00Z", 2))
                .containsExactly("2026-03-29T02:30:00Z", "2026-03-30T02:30:00Z");
        assertThat(ScheduleExpression.parse("cron(30 2 ? * * *)")
                        .firstAfter(Instant.parse("2026-03-28T12:00:00Z"))
                        .orElseThrow())
                .hasToString("2026-03-29T02:30:00Z");
    }

    @Test
    void scheduleOffsetRunsDaysAfterTheCronTimeAndSkipsAPeriodAlreadyBegun() {
        WindowSchedule s = WindowSchedule.parse("cron(30 23 ? * TUE#3 *)", null, 2, null, null);
        // Third Tuesday of March 2026 is the 17th: the window runs Thursday the 19th.
        assertThat(s.next(Instant.parse("2026-03-01T00:00:00Z"), LONG_AGO).orElseThrow())
                .hasToString("2026-03-19T23:30:00Z");
        // Set on the 18th, after March's cron time: March's run is skipped although the 19th is ahead.
        assertThat(s.next(Instant.parse("2026-03-18T00:00:00Z"), Instant.parse("2026-03-18T00:00:00Z"))
                        .orElseThrow())
                .hasToString("2026-04-23T23:30:00Z");
        // Set before it: it runs.
        assertThat(s.next(Instant.parse("2026-03-18T00:00:00Z"), Instant.parse("2026-03-10T00:00:00Z"))
                        .orElseThrow())
                .hasToString("2026-03-19T23:30:00Z");
    }

    @Test
    void offsetDaysAreWallClockDaysInTheZone() {
        // Saturday 28 March 02:30 CET + 1 day = Sunday 02:30, which the gap skips; Sunday's cron time + 1 = Monday.
        WindowSchedule s = WindowSchedule.parse("cron(30 2 ? * SAT,SUN *)", "Europe/Paris", 1, null, null);
        assertThat(runs(s, "2026-03-27T00:00:00Z", 2)).containsExactly("2026-03-30T00:30:00Z", "2026-04-05T00:30:00Z");
    }

    @Test
    void ratesAreFixedDurationsFromWhenTheScheduleWasSet() {
        WindowSchedule every4h = WindowSchedule.parse("rate(4 hours)", "Europe/Paris", null, null, null);
        Instant anchor = Instant.parse("2026-03-28T22:10:00Z");
        assertThat(every4h.upcoming(anchor, anchor, 3).stream().map(Instant::toString))
                .containsExactly("2026-03-29T02:10:00Z", "2026-03-29T06:10:00Z", "2026-03-29T10:10:00Z");
        // After an outage, the next run keeps the rhythm.
        assertThat(every4h.next(Instant.parse("2026-03-30T00:00:00Z"), anchor).orElseThrow())
                .hasToString("2026-03-30T02:10:00Z");
        WindowSchedule daily = WindowSchedule.parse("rate(1 day)", "Europe/Paris", null, null, null);
        assertThat(daily.next(anchor, anchor).orElseThrow()).hasToString("2026-03-29T22:10:00Z");
    }

    @Test
    void atRunsOnceInTheZoneAndAGapTimeRunsWhenTheClockResumes() {
        WindowSchedule once = paris("at(2026-06-01T22:00:00)");
        assertThat(runs(once, "2026-05-01T00:00:00Z", 3)).containsExactly("2026-06-01T20:00:00Z");
        assertThat(once.recurring()).isFalse();
        assertThat(runs(paris("at(2026-03-29T02:30:00)"), "2026-03-01T00:00:00Z", 2))
                .containsExactly("2026-03-29T01:30:00Z");
        assertThat(once.next(Instant.parse("2026-06-02T00:00:00Z"), LONG_AGO)).isEmpty();
    }

    @Test
    void startAndEndDatesBoundTheRuns() {
        WindowSchedule s = WindowSchedule.parse(
                "cron(0 9 ? * * *)", "Europe/Paris", null, "2026-04-01T00:00:00+02:00", "2026-04-03T09:00:00+02:00");
        assertThat(runs(s, "2026-03-01T00:00:00Z", 5))
                .containsExactly("2026-04-01T07:00:00Z", "2026-04-02T07:00:00Z", "2026-04-03T07:00:00Z");
        WindowSchedule rate = WindowSchedule.parse("rate(2 hours)", null, null, "2026-04-01T00:00:00Z", null);
        assertThat(rate.next(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-01T00:00:00Z"))
                        .orElseThrow())
                .hasToString("2026-04-01T02:00:00Z");
    }

    @Test
    void runTimesAreWrittenInTheWindowsZone() {
        WindowSchedule s = paris("cron(30 2 ? * * *)");
        assertThat(s.format(Instant.parse("2026-03-30T00:30:00Z"))).isEqualTo("2026-03-30T02:30+02:00");
        assertThat(WindowSchedule.parse("rate(1 day)", null, null, null, null)
                        .format(Instant.parse("2026-03-30T00:30:00Z")))
                .isEqualTo("2026-03-30T00:30Z");
    }

    @Test
    void badMembersAreNamed() {
        assertInvalid(() -> WindowSchedule.parse("rate(5 minutes)", null, null, null, null), "Schedule");
        assertInvalid(() -> WindowSchedule.parse("rate(1 hours)", null, null, null, null), "Schedule");
        assertInvalid(() -> WindowSchedule.parse("cron(0 9 * * * *)", null, null, null, null), "Schedule");
        assertInvalid(() -> WindowSchedule.parse("cron(0 9 * *)", null, null, null, null), "Schedule");
        assertInvalid(() -> WindowSchedule.parse("at(2026-02-30T10:00:00)", null, null, null, null), "Schedule");
        assertInvalid(() -> WindowSchedule.parse("every day", null, null, null, null), "Schedule");
        assertInvalid(() -> WindowSchedule.parse("rate(1 day)", null, 2, null, null), "ScheduleOffset");
        assertInvalid(() -> WindowSchedule.parse("cron(0 9 ? * * *)", null, 7, null, null), "ScheduleOffset");
        assertInvalid(
                () -> WindowSchedule.parse("cron(0 9 ? * * *)", "Mars/Olympus", null, null, null), "ScheduleTimezone");
        assertInvalid(() -> WindowSchedule.parse("cron(0 9 ? * * *)", "+02:00", null, null, null), "ScheduleTimezone");
        assertInvalid(() -> WindowSchedule.parse("cron(0 9 ? * * *)", null, null, "tomorrow", null), "StartDate");
        assertInvalid(
                () -> WindowSchedule.parse(
                        "cron(0 9 ? * * *)", null, null, "2026-04-02T00:00:00Z", "2026-04-01T00:00:00Z"),
                "EndDate");
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String member) {
        assertThatThrownBy(call).isInstanceOfSatisfying(WindowSchedule.Invalid.class, e -> assertThat(e.member())
                .isEqualTo(member));
    }
}
