package dev.patchtide.bench.fleet;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of this JVM and of every PostgreSQL process on the machine (from /proc), so a phase can say
 * whether the client, the server JVM or the database spent the cores. Linux only; elsewhere PostgreSQL
 * reads as 0.
 */
final class CpuMeter {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private CpuMeter() {}

    record Snapshot(long jvmNanos, long postgresTicks) {
        Usage since(Snapshot before) {
            return new Usage(
                    (jvmNanos - before.jvmNanos) / 1e9, (postgresTicks - before.postgresTicks) / TICKS_PER_SECOND);
        }
    }

    record Usage(double jvmSeconds, double postgresSeconds) {}

    static Snapshot snapshot() {
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        return new Snapshot(jvm, postgresTicks());
    }

    /** utime + stime of every live process whose command is postgres (exited backends are not counted). */
    private static long postgresTicks() {
        long total = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    if (open < 0
                            || close < 0
                            || !stat.substring(open + 1, close).equals("postgres")) {
                        continue;
                    }
                    String[] fields = stat.substring(close + 2).split(" ");
                    // After the command: state(0) ... utime is field 14 of stat, index 11 here; stime index 12.
                    total += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }
}
