package dev.patchtide.server.events;

import java.time.InstantSource;
import org.jdbi.v3.core.Handle;

/**
 * How server features emit their events (compliance changes, fleet changes, ...) onto the default bus,
 * inside their own transaction: the event, its archive entries and its deliveries commit with the change.
 *
 * <pre>{@code
 * var event = publisher.event("aws.ssm", "Configuration Compliance State Change");
 * event.resource(instanceArn).detail().put("compliance-status", "non_compliant");
 * publisher.publish(handle, publisher.build(event));
 * }</pre>
 */
public final class EventPublisher {
    private final EventRouter router;
    private final EventsArns arns;
    private final InstantSource clock;

    EventPublisher(EventRouter router, EventsArns arns, InstantSource clock) {
        this.router = router;
        this.arns = arns;
        this.clock = clock;
    }

    public EventEnvelope.Builder event(String source, String detailType) {
        return EventEnvelope.builder(source, detailType);
    }

    /** Completes the event with this server's account and region and the current time. */
    public EventEnvelope build(EventEnvelope.Builder builder) {
        return builder.build(arns.account(), arns.region(), clock.instant());
    }

    /** Publishes on the default bus in the transaction of {@code handle}. */
    public void publish(Handle handle, EventEnvelope event) {
        router.ingest(handle, EventBuses.DEFAULT, event);
    }

    /** As {@link #publish} for many events at once: stored with one statement (a command sent to a fleet). */
    public void publishAll(Handle handle, java.util.List<EventEnvelope> events) {
        router.ingestAll(handle, EventBuses.DEFAULT, events);
    }

    /** A template of many events alike, completed with this server's account and region and {@code time}. */
    public AlikeEvents alike(EventEnvelope.Builder prototype, java.time.Instant time) {
        return new AlikeEvents(prototype, arns.account(), arns.region(), time);
    }

    /**
     * Publishes one event of {@code template} per value (each with a fresh id) on the default bus, in the
     * transaction of {@code handle}: as {@link #publishAll}, without building each event on its own.
     */
    public void publishAlike(Handle handle, AlikeEvents template, java.util.List<String> values) {
        router.ingestAlike(handle, EventBuses.DEFAULT, template, values);
    }

    public String region() {
        return arns.region();
    }

    public String account() {
        return arns.account();
    }

    /** A managed instance's ARN here, as events name it among their resources. */
    public String instanceArn(String instanceId) {
        return "arn:aws:ssm:" + region() + ":" + account() + ":managed-instance/" + instanceId;
    }
}
