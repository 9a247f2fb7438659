package dev.patchtide.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SharedBuffersTest {
    private static final long GIB = 1024L * 1024 * 1024;

    @Test
    void anEighthOfTheHostsMemoryBetweenPostgresDefaultAndTwoGigabytes() {
        assertThat(SharedBuffers.megabytesFor(0)).isEqualTo(128);
        assertThat(SharedBuffers.megabytesFor(GIB / 2)).isEqualTo(128);
        assertThat(SharedBuffers.megabytesFor(4 * GIB)).isEqualTo(512);
        assertThat(SharedBuffers.megabytesFor(8 * GIB)).isEqualTo(1024);
        assertThat(SharedBuffers.megabytesFor(24 * GIB)).isEqualTo(2048);
        assertThat(SharedBuffers.megabytesFor(512 * GIB)).isEqualTo(2048);
    }
}
