package dev.patchtide.server.commands;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.events.AlikeEvents;
import dev.patchtide.server.events.EventEnvelope;
import dev.patchtide.server.events.EventPublisher;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Run Command's events on the default bus, as AWS names and shapes them (source {@code aws.ssm}):
 * {@code EC2 Command Status-change Notification} with detail {@code command-id}, {@code document-name},
 * {@code expire-after} (AWS's spelling), {@code parameters}, {@code requested-date-time} and {@code status}, and
 * the instances' ARNs as resources; {@code EC2 Command Invocation Status-change Notification} with detail
 * {@code command-id}, {@code document-name}, {@code instance-id}, {@code requested-date-time} and
 * {@code status}, and the instance's ARN. One event per status change, in the transaction that makes it.
 */
public final class CommandEvents implements CommandListener {
    public static final String SOURCE = "aws.ssm";
    public static final String COMMAND_CHANGE = "EC2 Command Status-change Notification";
    public static final String INVOCATION_CHANGE = "EC2 Command Invocation Status-change Notification";

    /**
     * The most instances a command's event names. SendCommand's InstanceIds holds at most 50; a command sent
     * by tags to a large fleet would otherwise make an event past EventBridge's 256 KB.
     */
    static final int MAX_RESOURCES = 1000;

    /** AWS's timestamps in these events: UTC with milliseconds ("2016-07-10T21:51:30.049Z"). */
    static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final EventPublisher publisher;

    public CommandEvents(EventPublisher publisher) {
        this.publisher = publisher;
    }

    @Override
    public void commandChanged(Handle handle, CommandChange change) {
        publisher.publish(handle, event(change));
    }

    @Override
    public void invocationChanged(Handle handle, InvocationChange change) {
        publisher.publish(handle, event(change));
    }

    /**
     * Changes alike but for their instance (a hand-out, a send to a fleet: all of one command, status and time)
     * are published from one template ({@link AlikeEvents}); others one by one.
     */
    @Override
    public void invocationsChanged(Handle handle, List<InvocationChange> changes) {
        if (changes.isEmpty()) {
            return;
        }
        InvocationChange first = changes.getFirst();
        if (changes.size() > 1 && changes.stream().allMatch(c -> alike(first, c))) {
            publisher.publishAlike(
                    handle,
                    publisher.alike(invocationEvent(first, AlikeEvents.VALUE), first.changedAt()),
                    changes.stream().map(InvocationChange::instanceId).toList());
        } else {
            publisher.publishAll(handle, changes.stream().map(this::event).toList());
        }
    }

    private static boolean alike(InvocationChange a, InvocationChange b) {
        return a.commandId().equals(b.commandId())
                && a.documentName().equals(b.documentName())
                && a.status().equals(b.status())
                && java.util.Objects.equals(a.requestedAt(), b.requestedAt())
                && java.util.Objects.equals(a.changedAt(), b.changedAt());
    }

    /** The event for a command's status change. */
    public EventEnvelope event(CommandChange change) {
        EventEnvelope.Builder event = publisher.event(SOURCE, COMMAND_CHANGE);
        List<String> instances = change.instanceIds();
        for (String instanceId : instances.subList(0, Math.min(MAX_RESOURCES, instances.size()))) {
            event.resource(publisher.instanceArn(instanceId));
        }
        ObjectNode detail =
                event.detail().put("command-id", change.commandId()).put("document-name", change.documentName());
        if (change.expiresAfter() != null) {
            detail.put("expire-after", time(change.expiresAfter()));
        }
        ObjectNode parameters = detail.putObject("parameters");
        for (Map.Entry<String, List<String>> parameter : change.parameters().entrySet()) {
            ArrayNode values = parameters.putArray(parameter.getKey());
            parameter.getValue().forEach(values::add);
        }
        detail.put("requested-date-time", time(change.requestedAt())).put("status", change.status());
        return event.build(publisher.account(), publisher.region(), change.changedAt());
    }

    /** The event for one invocation's status change. */
    public EventEnvelope event(InvocationChange change) {
        return invocationEvent(change, change.instanceId())
                .build(publisher.account(), publisher.region(), change.changedAt());
    }

    /** The event of {@code change}, naming {@code instanceId} (the change's own, or a template's placeholder). */
    private EventEnvelope.Builder invocationEvent(InvocationChange change, String instanceId) {
        EventEnvelope.Builder event =
                publisher.event(SOURCE, INVOCATION_CHANGE).resource(publisher.instanceArn(instanceId));
        event.detail()
                .put("command-id", change.commandId())
                .put("document-name", change.documentName())
                .put("instance-id", instanceId)
                .put("requested-date-time", time(change.requestedAt()))
                .put("status", change.status());
        return event;
    }

    static String time(Instant instant) {
        return MILLIS.format(instant);
    }
}
