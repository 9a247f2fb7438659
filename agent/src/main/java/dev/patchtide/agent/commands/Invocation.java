package dev.patchtide.agent.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * One command for this instance, as {@code Patchtide.ReceiveCommandInvocations} hands it out; also kept in the
 * journal, under the server's member names ({@link JournalJson}).
 */
record Invocation(
        String commandId,
        String instanceId,
        String documentName,
        String documentVersion,
        JsonNode parameters,
        JsonNode plan,
        Integer executionTimeoutSeconds,
        Instant requestedDateTime) {

    /** SSM's default execution timeout when the command names none. */
    static final Duration DEFAULT_EXECUTION_TIMEOUT = Duration.ofHours(1);

    /** A command id names a journal directory: it must not be able to name anything else. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");

    static boolean isSafeId(String commandId) {
        return commandId != null && SAFE_ID.matcher(commandId).matches();
    }

    Duration executionTimeout() {
        return executionTimeoutSeconds == null || executionTimeoutSeconds <= 0
                ? DEFAULT_EXECUTION_TIMEOUT
                : Duration.ofSeconds(executionTimeoutSeconds);
    }

    JsonNode steps() {
        return plan == null ? MissingNode.getInstance() : plan.path("Steps");
    }
}
