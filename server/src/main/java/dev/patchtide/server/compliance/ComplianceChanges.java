package dev.patchtide.server.compliance;

import dev.patchtide.server.events.EventPublisher;
import dev.patchtide.server.patching.ComplianceStateListener;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * What the compliance feature does when patching stores an evaluation, in that transaction: keeps changed
 * outcomes as history ({@link ComplianceHistory}) and publishes a status change as AWS's
 * {@code Configuration Compliance State Change} event; then tells {@code also} (tests listen there).
 */
public final class ComplianceChanges implements ComplianceStateListener {
    private final ComplianceEvents events;
    private final ComplianceStateListener also;

    public ComplianceChanges(EventPublisher publisher, ComplianceStateListener also) {
        this.events = new ComplianceEvents(publisher);
        this.also = also;
    }

    @Override
    public void complianceChanged(Handle handle, Change change) {
        events.publish(
                handle,
                new ComplianceEvents.ComplianceStateChange(
                        change.instanceId(),
                        change.newStatus(),
                        change.baselineId(),
                        change.nonCompliant().worst()));
        also.complianceChanged(handle, change);
    }

    @Override
    public void outcomesChanged(Handle handle, Instant time, List<Outcome> outcomes) {
        ComplianceHistory.recordAll(handle, time, outcomes);
        also.outcomesChanged(handle, time, outcomes);
    }
}
