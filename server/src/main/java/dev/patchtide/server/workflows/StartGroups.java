package dev.patchtide.server.workflows;

import dev.patchtide.server.db.GroupCommit;
import java.time.Duration;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Commits StartExecution's new STANDARD executions in groups ({@link GroupCommit}): the starts that arrive while a
 * group is being written share the next transaction ({@link StartWriter}: a fixed handful of statements and one
 * commit for the group), so a burst of starts costs a few transactions rather than one each. Each caller still
 * answers only after its own row is committed. At most {@link #WRITERS} groups are written at once. A group whose
 * transaction fails is written again one start at a time, so one bad start fails alone.
 */
final class StartGroups {
    static final int WRITERS = 2;
    static final int MAX_GROUP = 200;
    /** A start waits this long for its group before the caller is told to retry (the same name is idempotent). */
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Jdbi jdbi;
    private final StartWriter writer;
    private final GroupCommit<StartWriter.Start, Object> groups;

    StartGroups(Jdbi jdbi, StartWriter writer) {
        this.jdbi = jdbi;
        this.writer = writer;
        // Two starts of one execution ARN never share a group: the second waits for the next.
        this.groups = new GroupCommit<>(
                jdbi,
                writer::write,
                s -> s.draft().arn(),
                new GroupCommit.Settings("starts", WRITERS, MAX_GROUP, WAIT, "The server is stopping; retry later."));
    }

    /** Stores the start with the next group: its response, or {@link StartWriter#STALE}; a refusal is thrown. */
    Object store(StartWriter.Start start) {
        if (jdbi.getHandleScope().get() != null) {
            // Called inside a transaction of this thread (a window task, a task of the effect worker): the start
            // joins it, so it commits or rolls back with what the caller records about it.
            Object outcome = jdbi.inTransaction(h -> writer.write(h, Map.of("start", start)))
                    .get("start");
            if (outcome instanceof RuntimeException refused) {
                throw refused;
            }
            return outcome;
        }
        return groups.commit(start);
    }
}
