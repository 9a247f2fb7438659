package dev.patchtide.workflow.jsonata;

import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where {@code $now()}, {@code $millis()}, {@code $uuid()} and an unseeded {@code $random()} get their values. The
 * interpreter passes its {@code Environment} (same three methods), so a test or a replay controls them.
 */
public interface Sources {
    /** The system clock and random sources, for callers with no environment of their own. */
    Sources SYSTEM = system(Clock.systemUTC());

    Instant now();

    String newUuid();

    /** A number in [0, 1). */
    double random();

    static Sources system(Clock clock) {
        return new Sources() {
            @Override
            public Instant now() {
                return clock.instant();
            }

            @Override
            public String newUuid() {
                return UUID.randomUUID().toString();
            }

            @Override
            public double random() {
                return ThreadLocalRandom.current().nextDouble();
            }
        };
    }
}
