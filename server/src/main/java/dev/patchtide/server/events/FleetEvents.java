package dev.patchtide.server.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.fleet.FleetEventSink;
import dev.patchtide.server.fleet.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The fleet's events on the default bus, published in the transaction of the change:
 * <ul>
 *   <li>{@code aws.ssm} / {@code Managed Instance Registration State Change}: detail {@code instance-id},
 *       {@code state} ({@code registered} or {@code deregistered}), {@code name};
 *   <li>{@code aws.tag} / {@code Tag Change on Resource}, as AWS: detail {@code changed-tag-keys},
 *       {@code service} ({@code ssm}), {@code resource-type}, {@code resource-id}, {@code tags} (all tags now);
 *   <li>ping-status recoveries and first reports, decided where the report is stored ({@link PingStatusWatcher}).
 * </ul>
 */
final class FleetEvents implements FleetEventSink {
    static final String SSM = "aws.ssm";
    static final String REGISTRATION = "Managed Instance Registration State Change";
    static final String TAG_CHANGE = "Tag Change on Resource";

    private final EventPublisher publisher;
    private final PingStatusWatcher pings;

    FleetEvents(EventPublisher publisher, PingStatusWatcher pings) {
        this.publisher = publisher;
        this.pings = pings;
    }

    @Override
    public void instanceRegistered(Handle handle, String instanceId, String name) {
        registration(handle, instanceId, "registered", name);
    }

    @Override
    public void instancesRegistered(Handle handle, Map<String, String> names) {
        // One look at the bus (its rules version) and one INSERT for the group's events.
        List<EventEnvelope> built = new java.util.ArrayList<>(names.size());
        names.forEach((instanceId, name) -> built.add(registrationEvent(instanceId, "registered", name)));
        publisher.publishAll(handle, built);
    }

    @Override
    public void instanceDeregistered(Handle handle, String instanceId) {
        registration(handle, instanceId, "deregistered", null);
        handle.createUpdate("DELETE FROM instance_ping_states WHERE instance_id = :id")
                .bind("id", instanceId)
                .execute();
    }

    @Override
    public void instanceReported(Handle handle, String instanceId, Instant at) {
        pings.reported(handle, instanceId, at);
    }

    @Override
    public void instancesReported(Handle handle, Map<String, Instant> at) {
        pings.reportedAll(handle, at);
    }

    private void registration(Handle handle, String instanceId, String state, String name) {
        publisher.publish(handle, registrationEvent(instanceId, state, name));
    }

    private EventEnvelope registrationEvent(String instanceId, String state, String name) {
        EventEnvelope.Builder event = publisher.event(SSM, REGISTRATION).resource(instanceArn(publisher, instanceId));
        event.detail().put("instance-id", instanceId).put("state", state);
        if (name != null && !name.isEmpty()) {
            event.detail().put("name", name);
        }
        return publisher.build(event);
    }

    @Override
    public void tagsChanged(
            Handle handle, String resourceType, String resourceId, List<String> changedKeys, List<Tag> tagsNow) {
        String type = ssmResourceType(resourceType);
        EventEnvelope.Builder event = publisher
                .event("aws.tag", TAG_CHANGE)
                .resource("arn:aws:ssm:" + publisher.region() + ":" + publisher.account() + ":" + type + "/"
                        + resourceId);
        ObjectNode detail = event.detail();
        changedKeys.forEach(detail.putArray("changed-tag-keys")::add);
        detail.put("service", "ssm").put("resource-type", type).put("resource-id", resourceId);
        ObjectNode tags = detail.putObject("tags");
        tagsNow.forEach(t -> tags.put(t.key(), t.value()));
        publisher.publish(handle, publisher.build(event));
    }

    static String instanceArn(EventPublisher publisher, String instanceId) {
        return publisher.instanceArn(instanceId);
    }

    /** SSM's ResourceTypeForTagging as it appears in ARNs: ManagedInstance → managed-instance, PatchBaseline → patchbaseline. */
    static String ssmResourceType(String resourceType) {
        return switch (resourceType) {
            case "ManagedInstance" -> "managed-instance";
            case "PatchBaseline" -> "patchbaseline";
            case "MaintenanceWindow" -> "maintenancewindow";
            default -> resourceType.toLowerCase(Locale.ROOT);
        };
    }
}
