package dev.patchtide.server.commands;

import dev.patchtide.server.commands.CommandSpec.NotificationConfig;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Told, inside the transaction that makes it, of every status change of a command or of one of its
 * invocations: events on the bus, SNS notifications and maintenance-window task states follow from these.
 * Statuses and details are AWS's words ({@code InProgress}, {@code Delivery Timed Out}, ...). One exception: the
 * Pending of a command sent to many instances, and of its invocations, is told in a transaction just after
 * SendCommand's, yet always before any later change of the same command or invocation ({@link PendingChanges}).
 */
public interface CommandListener {

    void commandChanged(Handle handle, CommandChange change);

    void invocationChanged(Handle handle, InvocationChange change);

    /** Many invocations of one command changed at once (a send, a hand-out to many agents, a cancel). */
    default void invocationsChanged(Handle handle, List<InvocationChange> changes) {
        for (InvocationChange change : changes) {
            invocationChanged(handle, change);
        }
    }

    record CommandChange(
            String commandId,
            String documentName,
            String status,
            String statusDetails,
            List<String> instanceIds,
            Map<String, List<String>> parameters,
            Instant requestedAt,
            Instant expiresAfter,
            Optional<NotificationConfig> notificationConfig,
            Instant changedAt) {}

    record InvocationChange(
            String commandId,
            String instanceId,
            String documentName,
            String status,
            String statusDetails,
            Instant requestedAt,
            Optional<NotificationConfig> notificationConfig,
            Instant changedAt) {}
}
