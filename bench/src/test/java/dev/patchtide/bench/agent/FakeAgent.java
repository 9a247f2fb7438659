package dev.patchtide.bench.agent;

import java.time.Duration;

/**
 * Stands in for {@code patchtide-agent run} in {@link RunningAgentTest}: logs a scan report line at start and
 * then every {@code --scan-interval}, burning a little CPU on the scan thread's name first, until killed.
 */
public final class FakeAgent {
    private FakeAgent() {}

    public static void main(String[] args) throws Exception {
        Duration interval = Duration.ofSeconds(30);
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--scan-interval")) {
                interval = Duration.parse(args[i + 1]);
            }
        }
        Duration every = interval;
        Thread scans = Thread.ofPlatform().name("patchtide-agent-scan").start(() -> {
            try {
                while (true) {
                    long sum = 0;
                    for (long n = 0; n < 50_000_000L; n++) {
                        sum += n ^ (n >>> 3);
                    }
                    System.err.println("INFO Agent - patch scan reported: COMPLIANT (" + sum + ")");
                    Thread.sleep(every.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        scans.join();
    }
}
