package dev.patchtide.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointSpacingTest {
    private static final long GIB = 1024L * 1024 * 1024;

    @Test
    void aTwentiethOfTheFreeSpaceBetweenPostgresDefaultAndEightGigabytes() {
        assertThat(CheckpointSpacing.maxWalMegabytesFor(0)).isEqualTo(1024);
        assertThat(CheckpointSpacing.maxWalMegabytesFor(10 * GIB)).isEqualTo(1024);
        assertThat(CheckpointSpacing.maxWalMegabytesFor(40 * GIB)).isEqualTo(2048);
        assertThat(CheckpointSpacing.maxWalMegabytesFor(80 * GIB)).isEqualTo(4096);
        assertThat(CheckpointSpacing.maxWalMegabytesFor(160 * GIB)).isEqualTo(8192);
        assertThat(CheckpointSpacing.maxWalMegabytesFor(4096 * GIB)).isEqualTo(8192);
    }

    @Test
    void aClusterNotYetCreatedIsSizedByTheNearestExistingFolder(@TempDir Path dir) {
        assertThat(CheckpointSpacing.optionsFor(dir.resolve("not/yet/cluster")))
                .matches(" -c max_wal_size=\\d+MB -c checkpoint_timeout=15min");
    }
}
