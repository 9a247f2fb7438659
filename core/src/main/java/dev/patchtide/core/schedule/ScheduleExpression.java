package dev.patchtide.core.schedule;

import java.time.Instant;
import java.util.Optional;

/**
 * An EventBridge schedule expression: {@code cron(minutes hours day-of-month month day-of-week year)} or
 * {@code rate(value unit)}, evaluated in UTC.
 */
public sealed interface ScheduleExpression permits CronExpression, RateExpression {

    /** Parses an expression; throws {@link IllegalArgumentException} saying what is wrong. */
    static ScheduleExpression parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("schedule expression is missing");
        }
        String t = text.strip();
        if (t.startsWith("cron(") && t.endsWith(")")) {
            return CronExpression.parse(t.substring(5, t.length() - 1));
        }
        if (t.startsWith("rate(") && t.endsWith(")")) {
            return RateExpression.parse(t.substring(5, t.length() - 1));
        }
        throw new IllegalArgumentException("expected cron(...) or rate(...), got " + text);
    }

    /** The first due time of a schedule created (or enabled) at {@code now}; empty if it never fires. */
    Optional<Instant> firstAfter(Instant now);

    /**
     * The due time after {@code lastDue} once it has fired at {@code now}: the first one later than
     * {@code now}, so a schedule that missed several due times while the server was down fires once, not in
     * a burst.
     */
    Optional<Instant> nextAfter(Instant lastDue, Instant now);
}
