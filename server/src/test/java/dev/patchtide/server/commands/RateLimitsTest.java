package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** MaxConcurrency and MaxErrors against the target count, as numbers and percentages. */
class RateLimitsTest {

    @Test
    void numbersAreTakenAsGiven() {
        assertThat(RateLimits.of("50", "0", 3)).isEqualTo(new RateLimits(50, 0));
        assertThat(RateLimits.of("7", "3", 1000)).isEqualTo(new RateLimits(7, 3));
    }

    @Test
    void percentagesOfTheTargets() {
        // AWS's example: 10% errors of 50 targets stops sending at the sixth error (five allowed).
        assertThat(RateLimits.of("10%", "10%", 50)).isEqualTo(new RateLimits(5, 5));
        assertThat(RateLimits.of("10%", "5%", 1000)).isEqualTo(new RateLimits(100, 50));
        // Concurrency rounds up and never falls below one; errors round down.
        assertThat(RateLimits.of("1%", "9%", 9)).isEqualTo(new RateLimits(1, 0));
        assertThat(RateLimits.of("15%", "15%", 10)).isEqualTo(new RateLimits(2, 1));
        assertThat(RateLimits.of("100%", "100%", 0)).isEqualTo(new RateLimits(1, 0));
    }
}
