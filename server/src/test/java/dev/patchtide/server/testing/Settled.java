package dev.patchtide.server.testing;

import static org.awaitility.Awaitility.await;

import dev.patchtide.server.PatchtideServer;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import org.jdbi.v3.core.Jdbi;

/**
 * Positive signals that background work has caught up with a test's action, so that the test may then
 * assert that nothing more arrived: a sleep would pass just as well when the worker has not run at all.
 */
public final class Settled {
    /** Generous: on a busy shared machine a round can take seconds; the wait ends as soon as it is done. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Settled() {}

    /**
     * Waits until a loop has completed a whole round that began after this call. The round under way now
     * may have started before the caller's action, so it is the one after it that counts.
     */
    public static void wholeRound(String what, LongSupplier completedRounds, Runnable wake) {
        long before = completedRounds.getAsLong();
        wake.run();
        await(what + " completing a whole round").atMost(WAIT).until(() -> completedRounds.getAsLong() >= before + 2);
    }

    /** A whole events-worker round (schedules, replays, ping detection, expiry) on every node, begun after now. */
    public static void eventsWorkerRound(List<PatchtideServer> nodes) {
        for (PatchtideServer node : nodes) {
            wholeRound("the events worker", () -> node.events().worker().completedRounds(), () -> node.events()
                    .worker()
                    .wake());
        }
    }

    /** Every delivery enqueued so far has been handed to its deliverer and settled: the outbox is empty. */
    public static void outboxDrained(Jdbi jdbi) {
        await("the outbox to drain")
                .atMost(WAIT)
                .until(() -> jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM outbox")
                                .mapTo(Long.class)
                                .one())
                        == 0);
    }

    /**
     * The events worker of every node has run a whole round on the clock as it is now, and everything
     * published up to then (by the workers or by API calls) has been delivered.
     */
    public static void caughtUp(Jdbi jdbi, List<PatchtideServer> nodes) {
        eventsWorkerRound(nodes);
        outboxDrained(jdbi);
    }
}
