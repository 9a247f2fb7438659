package dev.patchtide.server.commands;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The agent's side of Run Command: {@code Patchtide.ReceiveCommandInvocations} and {@code UpdateCommandInvocation}. */
final class AgentMessages {
    private AgentMessages() {}

    /** The agent caps each output stream at 8 MiB (saying so in the output); a little room for that note. */
    static final int MAX_OUTPUT = 8 * 1024 * 1024 + 1024;

    static final int MAX_PLUGINS = 100;

    /**
     * {@code Stream}: hold the request for the whole wait and answer each hand-out as one line of it (see {@link
     * HeldStream}); absent or false, the plain long poll (one answer).
     */
    record ReceiveCommandInvocationsRequest(String instanceId, Integer waitTimeSeconds, Boolean stream)
            implements ApiRequest {
        boolean streamed() {
            return Boolean.TRUE.equals(stream);
        }

        @Override
        public void validate(Validation v) {
            v.required("instanceId", instanceId)
                    .pattern("instanceId", instanceId, CommandMessages.INSTANCE_ID)
                    .range("waitTimeSeconds", waitTimeSeconds, 0, 20);
        }
    }

    /** An invocation in a poll's answer: as a record, or already written (see {@link InvocationTemplate}). */
    sealed interface HandedInvocation permits Invocation, WrittenInvocation {}

    /** An invocation written as JSON already: the answer carries its text as it is. */
    record WrittenInvocation(@JsonValue RawValue json) implements HandedInvocation {}

    record Invocation(
            String commandId,
            String instanceId,
            String documentName,
            String documentVersion,
            Map<String, List<String>> parameters,
            // The stored plan written as it is: one string per command, not a tree serialized for every poll.
            RawValue plan,
            int executionTimeoutSeconds,
            Instant requestedDateTime)
            implements HandedInvocation {}

    record ReceiveCommandInvocationsResult(List<HandedInvocation> invocations, List<String> cancellations) {}

    record PluginResult(
            String name,
            String status,
            Integer responseCode,
            Instant responseStartDateTime,
            Instant responseFinishDateTime,
            String standardOutputContent,
            String standardErrorContent) {}

    record UpdateCommandInvocationRequest(
            String commandId,
            String instanceId,
            String status,
            String statusDetails,
            Integer responseCode,
            Instant executionStartDateTime,
            Instant executionEndDateTime,
            String standardOutputContent,
            String standardErrorContent,
            List<PluginResult> plugins)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("commandId", commandId)
                    .length("commandId", commandId, 36, 36)
                    .required("instanceId", instanceId)
                    .pattern("instanceId", instanceId, CommandMessages.INSTANCE_ID)
                    .required("status", status)
                    .oneOf("status", status, List.of("InProgress", "Success", "Failed", "TimedOut", "Cancelled"))
                    .length("statusDetails", statusDetails, 0, 100)
                    .length("standardOutputContent", standardOutputContent, 0, MAX_OUTPUT)
                    .length("standardErrorContent", standardErrorContent, 0, MAX_OUTPUT)
                    .size("plugins", plugins, 0, MAX_PLUGINS);
            if (plugins != null) {
                for (int i = 0; i < plugins.size(); i++) {
                    PluginResult p = plugins.get(i);
                    String at = "plugins." + (i + 1) + ".member";
                    v.required(at + ".name", p.name())
                            .length(at + ".name", p.name(), 1, 256)
                            .oneOf(
                                    at + ".status",
                                    p.status(),
                                    List.of("Pending", "InProgress", "Success", "TimedOut", "Cancelled", "Failed"))
                            .length(at + ".standardOutputContent", p.standardOutputContent(), 0, MAX_OUTPUT)
                            .length(at + ".standardErrorContent", p.standardErrorContent(), 0, MAX_OUTPUT);
                }
            }
        }
    }
}
