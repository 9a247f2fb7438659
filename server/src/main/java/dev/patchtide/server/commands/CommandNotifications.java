package dev.patchtide.server.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.commands.CommandSpec.NotificationConfig;
import dev.patchtide.server.notify.TopicPublisher;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Run Command's SNS notifications: a command's {@link NotificationConfig} names one of Patchtide's topics, the
 * events to announce ({@code All}, {@code InProgress}, {@code Success}, {@code TimedOut}, {@code Cancelled},
 * {@code Failed}) and whether per command ({@code Command}) or per instance ({@code Invocation}). Each announced
 * status change is published to the topic, in the transaction that makes it, as AWS's message JSON; the topic's
 * subscriptions (email, Teams, Slack, ticket, http) get it once, with their filter and dedupe policies.
 * Maintenance-window tasks pass their NotificationConfig on to the commands they send, so this is how window
 * task notifications arrive too.
 *
 * <p>A config without {@code NotificationEvents} announces all events; without {@code NotificationType}, per
 * command. Other statuses (Pending, Delayed, Cancelling) are never announced: they are not notification events.
 */
public final class CommandNotifications implements CommandListener {
    public static final List<String> EVENTS =
            List.of("All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed");
    public static final List<String> TYPES = List.of("Command", "Invocation");
    /** The statuses that are notification events; {@code All} stands for all of them. */
    private static final Set<String> ANNOUNCED = Set.of("InProgress", "Success", "TimedOut", "Cancelled", "Failed");

    private static final ObjectMapper JSON = ApiJson.documents();

    private final TopicPublisher topics;

    public CommandNotifications(TopicPublisher topics) {
        this.topics = topics;
    }

    @Override
    public void commandChanged(Handle handle, CommandChange change) {
        change.notificationConfig()
                .filter(config -> announces(config, "Command", change.status()))
                .ifPresent(
                        config -> topics.publish(handle, config.notificationArn(), Optional.empty(), message(change)));
    }

    @Override
    public void invocationChanged(Handle handle, InvocationChange change) {
        change.notificationConfig()
                .filter(config -> announces(config, "Invocation", change.status()))
                .ifPresent(
                        config -> topics.publish(handle, config.notificationArn(), Optional.empty(), message(change)));
    }

    /** Whether a config asks for this status of this type (Command or Invocation) to be announced. */
    static boolean announces(NotificationConfig config, String type, String status) {
        if (config.notificationArn() == null || config.notificationArn().isBlank()) {
            return false;
        }
        String wantedType =
                config.notificationType() == null || config.notificationType().isBlank()
                        ? "Command"
                        : config.notificationType();
        if (!wantedType.equals(type) || !ANNOUNCED.contains(status)) {
            return false;
        }
        List<String> events = config.notificationEvents() == null ? List.of() : config.notificationEvents();
        return events.isEmpty() || events.contains("All") || events.contains(status);
    }

    /** The command summary message, as AWS sends it. */
    static String message(CommandChange change) {
        ObjectNode message =
                JSON.createObjectNode().put("commandId", change.commandId()).put("documentName", change.documentName());
        ArrayNode instances = message.putArray("instanceIds");
        List<String> ids = change.instanceIds();
        ids.subList(0, Math.min(CommandEvents.MAX_RESOURCES, ids.size())).forEach(instances::add);
        message.put("requestedDateTime", CommandEvents.time(change.requestedAt()));
        if (change.expiresAfter() != null) {
            message.put("expiresAfter", CommandEvents.time(change.expiresAfter()));
        }
        // Patchtide keeps output itself (StandardOutputUrl); AWS sends these empty when no bucket was given.
        return message.put("outputS3BucketName", "")
                .put("outputS3KeyPrefix", "")
                .put("status", change.status())
                .put("eventTime", CommandEvents.time(change.changedAt()))
                .toString();
    }

    /** The invocation message, as AWS sends it. */
    static String message(InvocationChange change) {
        return JSON.createObjectNode()
                .put("commandId", change.commandId())
                .put("documentName", change.documentName())
                .put("instanceId", change.instanceId())
                .put("requestedDateTime", CommandEvents.time(change.requestedAt()))
                .put("status", change.status())
                .put("eventTime", CommandEvents.time(change.changedAt()))
                .toString();
    }

    /**
     * Adds to {@code validation} what is wrong with the config's events and type, naming the member under
     * {@code path} (AWS's lower camel path of the config, for example {@code notificationConfig} or
     * {@code taskInvocationParameters.runCommand.notificationConfig}).
     */
    public static void validate(NotificationConfig config, String path, Validation validation) {
        List<String> events = config.notificationEvents() == null ? List.of() : config.notificationEvents();
        for (int i = 0; i < events.size(); i++) {
            String member = path + ".notificationEvents." + (i + 1) + ".member";
            validation.required(member, events.get(i)).oneOf(member, events.get(i), EVENTS);
        }
        validation.oneOf(path + ".notificationType", config.notificationType(), TYPES);
    }

    /**
     * The whole check at send (or register) time: the events and type, then the topic. Throws
     * {@code ValidationException} for a bad event or type, and {@code InvalidNotificationConfig}, as AWS does,
     * when the ARN names no topic of this server.
     */
    public static void validate(Handle handle, NotificationConfig config, String path) {
        Validation validation = new Validation();
        validate(config, path, validation);
        validation.throwIfInvalid();
        requireTopic(handle, config, path);
    }

    /** {@code InvalidNotificationConfig} naming {@code <path>.notificationArn} unless the topic exists here. */
    public static void requireTopic(Handle handle, NotificationConfig config, String path) {
        String arn = config.notificationArn();
        if (arn == null || arn.isEmpty()) {
            return;
        }
        if (!TopicPublisher.exists(handle, arn)) {
            throw new ApiException.Invalid(
                    "InvalidNotificationConfig",
                    "Value '" + Validation.clip(arn) + "' at '" + path + ".notificationArn' is not valid: no such"
                            + " topic. Verify that a valid Amazon Resource Name (ARN) was provided for an Amazon"
                            + " Simple Notification Service topic.");
        }
    }
}
