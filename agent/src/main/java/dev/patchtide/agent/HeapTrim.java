package dev.patchtide.agent;

/**
 * Hands the Java heap back when a burst of work (a scan, a command) is over. The serial collector the agent runs
 * with collects its old generation only when it is full, so what each scan or command promotes there (0.1-0.3 MB a
 * young collection) piles up, stays resident, and the idle daemon creeps towards its -Xmx over days (bench/README.md,
 * "The archive holds only the daemon's classes"). A full collection once the work is done costs a few tens of ms
 * with the agent's few MB live, once per scan (every 4 h by default) or command; with {@code -XX:-ShrinkHeapInSteps}
 * and {@code MaxHeapFreeRatio=15} (agent-jvm.options) the collector returns the old generation's free part at once.
 */
public final class HeapTrim {
    private final Runnable collect;

    HeapTrim(Runnable collect) {
        this.collect = collect;
    }

    /** The running JVM's heap. */
    public static HeapTrim ofThisJvm() {
        return new HeapTrim(System::gc);
    }

    /** Called when a scan or the last running command has ended. */
    public void afterWork() {
        collect.run();
    }
}
