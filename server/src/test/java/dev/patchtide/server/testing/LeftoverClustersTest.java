package dev.patchtide.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoverClustersTest {
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void sweepsTheClustersOfEndedJvmsAndKeepsRunningAndNewOnes() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path deadPostmaster = cluster("patchtide-test-pg1", Duration.ofHours(2), String.valueOf(ended.pid()));
        Path stopped = cluster("patchtide-test-pg2", Duration.ofHours(2), null);
        Path running = cluster(
                "patchtide-test-pg3",
                Duration.ofHours(2),
                String.valueOf(ProcessHandle.current().pid()));
        Path beingCreated = cluster("patchtide-test-pg4", Duration.ofMinutes(1), null);
        Path notOurs = cluster("other-pg5", Duration.ofHours(2), null);

        LeftoverClusters.sweep(tmp, NOW);

        assertThat(deadPostmaster).doesNotExist();
        assertThat(stopped).doesNotExist();
        assertThat(running.resolve("cluster/postmaster.pid")).exists();
        assertThat(beingCreated.resolve("cluster/base/1")).exists();
        assertThat(notOurs.resolve("cluster/base/1")).exists();
    }

    private Path cluster(String name, Duration age, String postmasterPid) throws Exception {
        Path folder = tmp.resolve(name);
        Files.createDirectories(folder.resolve("cluster/base"));
        Files.writeString(folder.resolve("cluster/base/1"), "a data file");
        if (postmasterPid != null) {
            Files.writeString(folder.resolve("cluster/postmaster.pid"), postmasterPid + "\n/tmp/cluster\n");
        }
        Files.setLastModifiedTime(folder, FileTime.from(NOW.minus(age)));
        return folder;
    }
}
