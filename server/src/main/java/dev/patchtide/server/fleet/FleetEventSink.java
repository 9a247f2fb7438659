package dev.patchtide.server.fleet;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Told about fleet changes inside the transaction that makes them, so an event about a change exists exactly
 * when the change was committed. The events feature implements it; the fleet does not know about events.
 */
public interface FleetEventSink {
    FleetEventSink NONE = new FleetEventSink() {};

    default void instanceRegistered(Handle handle, String instanceId, String name) {}

    /**
     * Several instances registered in one transaction (a group of registrations): instance id to its name, in
     * order; as {@link #instanceRegistered} for each, which is what this default does.
     */
    default void instancesRegistered(Handle handle, Map<String, String> names) {
        names.forEach((instanceId, name) -> instanceRegistered(handle, instanceId, name));
    }

    default void instanceDeregistered(Handle handle, String instanceId) {}

    /**
     * The instance reported (its heartbeat): {@code last_ping_at} is now {@code at}, and the instance's row
     * is locked by that UPDATE until the transaction ends.
     */
    default void instanceReported(Handle handle, String instanceId, Instant at) {}

    /**
     * Several instances' heartbeats written together ({@code last_ping_at} now the map's value for each, rows locked
     * until the transaction ends): as {@link #instanceReported} for each, which is what this default does.
     */
    default void instancesReported(Handle handle, Map<String, Instant> at) {
        at.forEach((instanceId, ping) -> instanceReported(handle, instanceId, ping));
    }

    /** Tags of a resource changed: the keys added, changed or removed, and all its tags now. */
    default void tagsChanged(
            Handle handle, String resourceType, String resourceId, List<String> changedKeys, List<Tag> tagsNow) {}
}
