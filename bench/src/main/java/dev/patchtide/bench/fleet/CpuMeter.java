package dev.patchtide.bench.fleet;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * CPU time of this JVM and of our PostgreSQL (its postmaster, the backends it reaped, and its live
 * children, from /proc), so a phase can say whether the client, the server JVM or the database spent
 * the cores. Other PostgreSQL servers on the machine are not counted. Linux only; without /proc or for
 * a remote server PostgreSQL reads as 0.
 */
public final class CpuMeter {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private final OptionalLong postmaster;

    CpuMeter(OptionalLong postmaster) {
        this.postmaster = postmaster;
    }

    public record Snapshot(long jvmNanos, long postgresTicks) {
        public Usage since(Snapshot before) {
            return new Usage(
                    (jvmNanos - before.jvmNanos) / 1e9, (postgresTicks - before.postgresTicks) / TICKS_PER_SECOND);
        }
    }

    public record Usage(double jvmSeconds, double postgresSeconds) {}

    public Snapshot snapshot() {
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        return new Snapshot(jvm, postmaster.isPresent() ? postgresTicks(postmaster.getAsLong()) : 0);
    }

    /** The postmaster's own and reaped children's time, plus its live children's (backends, workers). */
    private static long postgresTicks(long postmasterPid) {
        long total = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    // Fields after "pid (comm) ": state ppid ... utime(11) stime(12) cutime(13) cstime(14).
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(name);
                    if (pid == postmasterPid) {
                        total += Long.parseLong(f[11])
                                + Long.parseLong(f[12])
                                + Long.parseLong(f[13])
                                + Long.parseLong(f[14]);
                    } else if (Long.parseLong(f[1]) == postmasterPid) {
                        total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    /** The postmaster of a cluster, from its postmaster.pid (first line). */
    static OptionalLong postmasterOf(Path cluster) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readAllLines(cluster.resolve("postmaster.pid"))
                    .getFirst()
                    .strip()));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
