package dev.patchtide.server.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How far apart the embedded PostgreSQL's checkpoints are: {@code max_wal_size} a twentieth of the space free
 * where the cluster lives, at least PostgreSQL's own default (1 GB) and at most 8 GB, and {@code checkpoint_timeout}
 * 15 minutes instead of 5. After each checkpoint the first change to a page writes the whole page into the WAL
 * (full_page_writes, which stays on), and a round of scan reports changes every page of the patch state table: with
 * the defaults a checkpoint was requested every ≈ 540 MB of WAL, so at 100,000 hosts every round after the first
 * logged the table's pages whole again. Durability is unchanged; a crash replays at most this much WAL on restart.
 */
final class CheckpointSpacing {
    static final long FLOOR_MB = 1024;
    static final long CEILING_MB = 8192;
    static final int TIMEOUT_MINUTES = 15;

    private CheckpointSpacing() {}

    /** The {@code max_wal_size} setting when {@code usableBytes} are free on the cluster's file system, in megabytes. */
    static long maxWalMegabytesFor(long usableBytes) {
        long twentieth = usableBytes / 20 / (1024 * 1024);
        return Math.clamp(twentieth, FLOOR_MB, CEILING_MB);
    }

    /** The settings for a cluster kept in {@code cluster} (which need not exist yet), as postgres -c options. */
    static String optionsFor(Path cluster) {
        return " -c max_wal_size=" + maxWalMegabytesFor(usableBytes(cluster)) + "MB -c checkpoint_timeout="
                + TIMEOUT_MINUTES + "min";
    }

    private static long usableBytes(Path cluster) {
        for (Path p = cluster.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                try {
                    return Files.getFileStore(p).getUsableSpace();
                } catch (IOException e) {
                    return 0; // unknown: PostgreSQL's default
                }
            }
        }
        return 0;
    }
}
