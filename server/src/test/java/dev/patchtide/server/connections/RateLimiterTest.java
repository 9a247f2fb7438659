package dev.patchtide.server.connections;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void allowsOneSecondsWorthThenPacesAtTheRate() {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        RateLimiter limiter = new RateLimiter(nanos::get);
        assertThat(limiter.tryAcquire("d", 2)).isZero();
        assertThat(limiter.tryAcquire("d", 2)).isZero();
        assertThat(limiter.tryAcquire("d", 2)).isEqualTo(500_000_000L);
        assertThat(limiter.tryAcquire("other", 2))
                .as("buckets are per destination")
                .isZero();
        nanos.addAndGet(500_000_000L);
        assertThat(limiter.tryAcquire("d", 2)).isZero();
        assertThat(limiter.tryAcquire("d", 2)).isPositive();
        // A long pause does not bank more than one second's worth.
        nanos.addAndGet(60_000_000_000L);
        assertThat(limiter.tryAcquire("d", 2)).isZero();
        assertThat(limiter.tryAcquire("d", 2)).isZero();
        assertThat(limiter.tryAcquire("d", 2)).isPositive();
    }
}
