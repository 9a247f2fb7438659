package dev.patchtide.server.windows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.events.EventEnvelope;
import dev.patchtide.server.events.EventPublisher;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Maintenance-window events on the default bus, with AWS's detail types and detail members. */
final class WindowEvents {
    private final EventPublisher publisher;

    WindowEvents(EventPublisher publisher) {
        this.publisher = publisher;
    }

    String windowArn(String windowId) {
        return "arn:aws:ssm:" + publisher.region() + ":" + publisher.account() + ":maintenancewindow/" + windowId;
    }

    void windowStateChanged(Handle h, String windowId, boolean enabled) {
        EventEnvelope.Builder e = publisher.event("aws.ssm", "Maintenance Window State-change Notification");
        e.resource(windowArn(windowId));
        e.detail().put("window-id", windowId).put("status", enabled ? "ENABLED" : "DISABLED");
        publisher.publish(h, publisher.build(e));
    }

    void executionChanged(Handle h, String windowId, String executionId, String status, Instant start, Instant end) {
        EventEnvelope.Builder e = publisher.event("aws.ssm", "Maintenance Window Execution State-change Notification");
        e.resource(windowArn(windowId));
        ObjectNode d = e.detail();
        times(d, start, end);
        d.put("window-id", windowId).put("window-execution-id", executionId).put("status", status);
        publisher.publish(h, publisher.build(e));
    }

    void taskChanged(
            Handle h,
            String windowId,
            String executionId,
            String taskExecutionId,
            String status,
            Instant start,
            Instant end) {
        EventEnvelope.Builder e =
                publisher.event("aws.ssm", "Maintenance Window Task Execution State-change Notification");
        e.resource(windowArn(windowId));
        ObjectNode d = e.detail();
        times(d, start, end);
        d.put("task-execution-id", taskExecutionId)
                .put("window-id", windowId)
                .put("window-execution-id", executionId)
                .put("status", status);
        publisher.publish(h, publisher.build(e));
    }

    /** Many at once (a task's command handed out to a fleet): stored with one statement. */
    void invocationsChanged(Handle h, List<InvocationEvent> invocations) {
        publisher.publishAll(h, invocations.stream().map(this::event).toList());
    }

    private EventEnvelope event(InvocationEvent i) {
        EventEnvelope.Builder e =
                publisher.event("aws.ssm", "Maintenance Window Task Target Invocation State-change Notification");
        e.resource(windowArn(i.windowId()));
        ObjectNode d = e.detail();
        times(d, i.start(), i.end());
        d.put("window-id", i.windowId())
                .put("window-execution-id", i.executionId())
                .put("task-execution-id", i.taskExecutionId())
                .put("window-target-id", i.windowTargetId() == null ? "" : i.windowTargetId())
                .put("status", i.status());
        if (i.ownerInformation() != null) {
            d.put("owner-information", i.ownerInformation());
        }
        return publisher.build(e);
    }

    record InvocationEvent(
            String windowId,
            String executionId,
            String taskExecutionId,
            String windowTargetId,
            String ownerInformation,
            String status,
            Instant start,
            Instant end) {}

    private static void times(ObjectNode d, Instant start, Instant end) {
        if (start != null) {
            d.put("start-time", start.truncatedTo(ChronoUnit.MILLIS).toString());
        }
        if (end != null) {
            d.put("end-time", end.truncatedTo(ChronoUnit.MILLIS).toString());
        }
    }
}
