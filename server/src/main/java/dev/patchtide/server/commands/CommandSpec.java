package dev.patchtide.server.commands;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to run where: the members of {@code SendCommand} a caller inside the server (a maintenance-window task,
 * a workflow step) fills in. {@code instanceIds} and {@code targets} are alternatives, as in SendCommand.
 *
 * @param maxConcurrency a number ("10") or a percentage ("10%") of the targets, as SendCommand takes it
 * @param maxErrors a number or a percentage; sending stops once errors exceed it
 * @param timeoutSeconds how long an invocation may wait for its agent (SendCommand's TimeoutSeconds)
 */
public record CommandSpec(
        String documentName,
        Optional<String> documentVersion,
        Map<String, List<String>> parameters,
        List<String> instanceIds,
        List<CommandTarget> targets,
        String maxConcurrency,
        String maxErrors,
        Optional<Integer> timeoutSeconds,
        Optional<String> comment,
        Optional<NotificationConfig> notificationConfig,
        Optional<String> serviceRoleArn) {

    /** One {@code Targets} entry: {@code InstanceIds}, {@code tag:<key>} or {@code tag-key}, with its values. */
    public record CommandTarget(String key, List<String> values) {}

    /**
     * Where status changes are announced: an SNS topic of Patchtide's, for the listed events (All, InProgress,
     * Success, TimedOut, Cancelled, Failed), per command or per invocation (type Command or Invocation).
     */
    public record NotificationConfig(
            String notificationArn, List<String> notificationEvents, String notificationType) {}
}
