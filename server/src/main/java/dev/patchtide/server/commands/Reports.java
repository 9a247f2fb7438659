package dev.patchtide.server.commands;

import dev.patchtide.server.commands.AgentMessages.UpdateCommandInvocationRequest;
import dev.patchtide.server.db.GroupCommit;
import java.time.Duration;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores agents' reports in groups ({@link GroupCommit}): the reports that arrive while a group is being written
 * share the next transaction (one look at their commands, one lock and one update of all their invocations, one call
 * to each listener per command and status), so ten thousand agents reporting together cost a few hundred
 * transactions, not twenty thousand. At most {@link #WRITERS} groups are written at once on a node, so reports never
 * take more than that many pooled connections from the deliverer and the settles. A group whose transaction fails is
 * written again one report at a time, so one bad report fails alone.
 */
final class Reports {
    static final int WRITERS = 2;
    static final int MAX_GROUP = 250;
    /** A report waits this long for its group before the agent is told to send it again (503). */
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** How a report was stored. */
    enum Stored {
        /** The invocation moved (or a final result was taken again): the command needs settling. */
        CHANGED,
        /** Only its outputs changed (InProgress). */
        UNCHANGED,
        /** Its command has not started yet: settle it, then store the report again after the settle. */
        COMMAND_PENDING
    }

    /** What two reports of one group must not share: the invocation they update. */
    private record Key(UUID commandId, String instanceId) {}

    private final GroupCommit<ReportWriter.Report, Stored> groups;

    Reports(Jdbi jdbi, Progress progress) {
        this.groups = new GroupCommit<>(
                jdbi,
                new ReportWriter(progress)::write,
                r -> new Key(r.commandId(), r.request().instanceId()),
                new GroupCommit.Settings("reports", WRITERS, MAX_GROUP, WAIT, "The server is stopping; report again."));
    }

    Stored store(UpdateCommandInvocationRequest report, UUID commandId, boolean afterSettle) {
        return groups.commit(new ReportWriter.Report(report, commandId, afterSettle));
    }
}
