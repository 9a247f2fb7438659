package dev.patchtide.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesFromHalfASecondWithJitterUpToTheCapAndStartsOverWhenReset() {
        Backoff backoff = new Backoff(Duration.ofSeconds(10));
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            waits.add(backoff.next());
        }
        long[] ceilings = {500, 1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000, 10000, 10000, 10000};
        for (int i = 0; i < waits.size(); i++) {
            // each wait is between half its step and the step itself: never the same for a whole fleet
            assertThat(waits.get(i).toMillis()).isBetween(ceilings[i] / 2, ceilings[i]);
        }
        assertThat(backoff.failing()).isTrue();

        assertThat(backoff.reset()).as("this ends a run of failures").isTrue();
        assertThat(backoff.reset()).isFalse();
        assertThat(backoff.next().toMillis()).isBetween(250L, 500L);
    }

    @Test
    void jitterSpreadsTheWaits() {
        List<Long> firstAtCap = new ArrayList<>();
        for (int run = 0; run < 20; run++) {
            Backoff backoff = new Backoff(Duration.ofMinutes(5));
            Duration last = Duration.ZERO;
            for (int i = 0; i < 12; i++) {
                last = backoff.next();
            }
            firstAtCap.add(last.toMillis());
        }
        assertThat(firstAtCap).allSatisfy(ms -> assertThat(ms).isBetween(150_000L, 300_000L));
        assertThat(firstAtCap.stream().distinct().count()).isGreaterThan(10);
    }
}
