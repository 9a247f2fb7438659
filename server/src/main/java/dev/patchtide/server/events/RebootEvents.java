package dev.patchtide.server.events;

import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;

/**
 * Patchtide's own {@code patchtide.patching} / {@code Reboot Pending State Change} (AWS has no such event):
 * published on every scan that finds an instance waiting for a reboot, and once when that clears. Detail:
 * {@code instance-id}, {@code reboot-pending} (true or false) and {@code packages} (those waiting for it).
 * Sent on every scan so a rule's dedupe policy, not the emitter, decides what is news.
 */
public final class RebootEvents {
    public static final String SOURCE = "patchtide.patching";
    public static final String DETAIL_TYPE = "Reboot Pending State Change";

    /** What one scan found about an instance's pending reboot. */
    public record RebootState(String instanceId, boolean rebootPending, List<String> packages) {
        public RebootState {
            Objects.requireNonNull(instanceId, "instanceId");
            packages = List.copyOf(packages);
        }
    }

    private final EventPublisher publisher;

    public RebootEvents(EventPublisher publisher) {
        this.publisher = publisher;
    }

    public EventEnvelope event(RebootState state) {
        EventEnvelope.Builder event =
                publisher.event(SOURCE, DETAIL_TYPE).resource(FleetEvents.instanceArn(publisher, state.instanceId()));
        event.detail().put("instance-id", state.instanceId()).put("reboot-pending", state.rebootPending());
        var packages = event.detail().putArray("packages");
        state.packages().forEach(packages::add);
        return publisher.build(event);
    }

    /** Publishes on the default bus, in the transaction that stored the scan. */
    public void publish(Handle handle, RebootState state) {
        publisher.publish(handle, event(state));
    }
}
