package dev.patchtide.server.db;

import java.lang.management.ManagementFactory;

/**
 * The embedded PostgreSQL's buffer cache, sized from the host's memory: an eighth of it, at least PostgreSQL's own
 * default (128 MB) and at most 2 GB. The default holds the patch states of a few thousand hosts; at 100,000 every
 * round of scan reports read back, and wrote out again, pages it had just evicted.
 */
final class SharedBuffers {
    static final long FLOOR_MB = 128;
    static final long CEILING_MB = 2048;

    private SharedBuffers() {}

    /** The {@code shared_buffers} setting for a host with {@code physicalBytes} of memory, in megabytes. */
    static long megabytesFor(long physicalBytes) {
        long eighth = physicalBytes / 8 / (1024 * 1024);
        return Math.clamp(eighth, FLOOR_MB, CEILING_MB);
    }

    /** The setting for this host (containers' limits included, as the JVM sees them). */
    static String forThisHost() {
        long physical =
                ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                        ? os.getTotalMemorySize()
                        : 0;
        return megabytesFor(physical) + "MB";
    }
}
