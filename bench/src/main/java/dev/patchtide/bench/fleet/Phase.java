package dev.patchtide.bench.fleet;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one step for every host with a fixed number of client threads and measures it: wall time,
 * per-call latencies, failures, and where the CPU went (the client threads, the whole JVM, PostgreSQL).
 */
final class Phase {
    /** One host's step; the index is the host's. */
    interface Step {
        void run(int host) throws Exception;
    }

    record Result(
            String name,
            int calls,
            int failures,
            String firstFailure,
            double seconds,
            long[] latencyNanos,
            CpuMeter.Usage cpu,
            double clientCpuSeconds,
            double httpClientCpuSeconds,
            java.time.Instant started,
            java.time.Instant ended) {
        double perSecond() {
            return calls / seconds;
        }

        /** The simulator's own CPU per call: its client threads and the shared HTTP client's threads. */
        double clientCpuMillisPerCall() {
            return clientCpuSeconds * 1000 / calls;
        }

        /** The JVM's CPU less the simulator's (the in-process server's share), per call. */
        double serverCpuMillisPerCall() {
            return (cpu.jvmSeconds() - clientCpuSeconds) * 1000 / calls;
        }

        double percentileMillis(double p) {
            return Phase.percentileMillis(latencyNanos, p);
        }

        String summary() {
            return String.format(
                    "%s-%s UTC %-22s %8d calls in %7.2f s = %8.0f /s; latency p50 %6.1f ms p99 %7.1f ms; failures %d%s;"
                            + " CPU s: client threads %.1f (HTTP client's own %.1f), JVM %.1f,"
                            + " PostgreSQL %.1f (wall x cores %.1f); CPU ms per call: server JVM %.2f + PostgreSQL %.2f"
                            + " (simulator %.3f)",
                    CLOCK.format(started),
                    CLOCK.format(ended),
                    name,
                    calls,
                    seconds,
                    perSecond(),
                    percentileMillis(50),
                    percentileMillis(99),
                    failures,
                    failures == 0 ? "" : " (first: " + firstFailure + ")",
                    clientCpuSeconds,
                    httpClientCpuSeconds,
                    cpu.jvmSeconds(),
                    cpu.postgresSeconds(),
                    seconds * Runtime.getRuntime().availableProcessors(),
                    serverCpuMillisPerCall(),
                    cpu.postgresSeconds() * 1000 / calls,
                    clientCpuMillisPerCall());
        }
    }

    private static final java.time.format.DateTimeFormatter CLOCK =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneOffset.UTC);

    private Phase() {}

    static Result run(CpuMeter meter, String name, int hosts, int concurrency, Step step) throws InterruptedException {
        return run(meter, name, hosts, concurrency, () -> 0, step);
    }

    /**
     * As above; {@code httpCpuNanos} reads the CPU time of the HTTP client's own threads (selector, executor),
     * which belong to the simulator, not to the in-process server.
     */
    static Result run(
            CpuMeter meter,
            String name,
            int hosts,
            int concurrency,
            java.util.function.LongSupplier httpCpuNanos,
            Step step)
            throws InterruptedException {
        long[] latencies = new long[hosts];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicLong clientCpu = new AtomicLong();
        ConcurrentLinkedQueue<String> failureMessages = new ConcurrentLinkedQueue<>();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CpuMeter.Snapshot before = meter.snapshot();
        long http0 = httpCpuNanos.getAsLong();
        java.time.Instant started = java.time.Instant.now();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            Future<?>[] workers = new Future<?>[concurrency];
            for (int w = 0; w < concurrency; w++) {
                workers[w] = pool.submit(() -> {
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    for (int i = next.getAndIncrement(); i < hosts; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        try {
                            step.run(i);
                        } catch (Exception e) {
                            if (failures.incrementAndGet() <= 1) {
                                failureMessages.add(e.toString());
                            }
                        }
                        latencies[i] = System.nanoTime() - t0;
                    }
                    clientCpu.addAndGet(threads.getCurrentThreadCpuTime() - cpu0);
                });
            }
            for (Future<?> f : workers) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        CpuMeter.Usage cpu = meter.snapshot().since(before);
        double http = (httpCpuNanos.getAsLong() - http0) / 1e9;
        return new Result(
                name,
                hosts,
                failures.get(),
                failureMessages.isEmpty() ? "" : failureMessages.peek(),
                seconds,
                latencies,
                cpu,
                clientCpu.get() / 1e9 + http,
                http,
                started,
                java.time.Instant.now());
    }

    static double percentileMillis(long[] nanos, double p) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
