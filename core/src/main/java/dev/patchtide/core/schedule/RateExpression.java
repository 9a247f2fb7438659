package dev.patchtide.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code rate(value unit)}: every {@code value} minutes, hours or days, counted from when the rule was
 * created. As EventBridge: the unit is singular exactly when the value is 1 ({@code rate(1 hour)},
 * {@code rate(5 hours)}).
 */
public record RateExpression(Duration period) implements ScheduleExpression {
    private static final Pattern SYNTAX = Pattern.compile("^(\\d{1,9}) (minute|minutes|hour|hours|day|days)$");

    public RateExpression {
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("rate must be positive");
        }
    }

    static RateExpression parse(String inner) {
        Matcher m = SYNTAX.matcher(inner.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("rate must look like rate(5 minutes), got rate(" + inner + ")");
        }
        long value = Long.parseLong(m.group(1));
        String unit = m.group(2);
        boolean singular = !unit.endsWith("s");
        if (value == 0) {
            throw new IllegalArgumentException("rate value must be positive");
        }
        if (singular != (value == 1)) {
            throw new IllegalArgumentException("rate unit must be singular for 1 and plural otherwise");
        }
        Duration one =
                switch (unit) {
                    case "minute", "minutes" -> Duration.ofMinutes(1);
                    case "hour", "hours" -> Duration.ofHours(1);
                    default -> Duration.ofDays(1);
                };
        return new RateExpression(one.multipliedBy(value));
    }

    @Override
    public Optional<Instant> firstAfter(Instant now) {
        return Optional.of(now.plus(period));
    }

    @Override
    public Optional<Instant> nextAfter(Instant lastDue, Instant now) {
        Instant next = lastDue.plus(period);
        if (!next.isAfter(now)) {
            long missed = Duration.between(lastDue, now).toMillis() / period.toMillis();
            next = lastDue.plus(period.multipliedBy(missed + 1));
        }
        return Optional.of(next);
    }
}
