package dev.patchtide.bench;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.IntPredicate;

/**
 * Waits that fail on a stall rather than on a stopwatch: a fleet test on a loaded CI box is slow but keeps moving,
 * a stuck server does not. Quiet, a wait ends as soon as its work is done.
 */
public final class ProgressWait {
    /** The longest a wait may see no progress at all. */
    public static final Duration STALL = Duration.ofSeconds(60);
    /** The most a wait may take in all, progress or not. */
    public static final Duration BUDGET = Duration.ofMinutes(5);

    private ProgressWait() {}

    /** Until {@code done} holds for {@code progress}'s count; fails when the count has not grown for {@link #STALL}. */
    public static void until(String what, Callable<Integer> progress, IntPredicate done) {
        whileGrowing(what, progress, done::test);
    }

    /** Until {@code done} is true, for as long as {@code progress} keeps growing. */
    public static void until(String what, Callable<Integer> progress, Callable<Boolean> done) {
        whileGrowing(what, progress, n -> done.call());
    }

    private interface Check {
        boolean test(int count) throws Exception;
    }

    private static void whileGrowing(String what, Callable<Integer> progress, Check done) {
        long[] last = {-1, System.nanoTime()};
        await().atMost(BUDGET).pollInterval(Duration.ofMillis(200)).until(() -> {
            int n = progress.call();
            long now = System.nanoTime();
            if (n > last[0]) {
                last[0] = n;
                last[1] = now;
            } else if (now - last[1] > STALL.toNanos()) {
                throw new AssertionError(what + ": stuck at " + n + " for " + STALL.toSeconds() + " s");
            }
            return done.test(n);
        });
    }
}
