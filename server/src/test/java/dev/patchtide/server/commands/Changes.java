package dev.patchtide.server.commands;

import dev.patchtide.server.commands.CommandListener.CommandChange;
import dev.patchtide.server.commands.CommandListener.InvocationChange;
import dev.patchtide.server.commands.CommandSpec.NotificationConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Status changes as the commands feature tells its listeners of them, for tests that call listeners directly. */
final class Changes {
    static final Instant REQUESTED = Instant.parse("2026-12-02T08:00:00.120Z");

    private Changes() {}

    static CommandChange command(
            String commandId,
            String document,
            String status,
            List<String> instanceIds,
            Optional<NotificationConfig> config,
            Instant at) {
        return new CommandChange(
                commandId,
                document,
                status,
                status,
                instanceIds,
                Map.of("Operation", List.of("Install"), "RebootOption", List.of("NoReboot")),
                REQUESTED,
                REQUESTED.plus(Duration.ofHours(1)),
                config,
                at);
    }

    static InvocationChange invocation(
            String commandId,
            String instanceId,
            String document,
            String status,
            Optional<NotificationConfig> config,
            Instant at) {
        return new InvocationChange(commandId, instanceId, document, status, status, REQUESTED, config, at);
    }
}
