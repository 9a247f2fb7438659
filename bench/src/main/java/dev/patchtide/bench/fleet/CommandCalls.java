package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.core.auth.SigV4Credentials;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The admin's side of Run Command, as the AWS CLI calls it: SendCommand, ListCommands, ListCommandInvocations. */
final class CommandCalls {
    private final FleetClient client;
    private final SigV4Credentials admin;

    /** A command's status and counts as ListCommands gives them. */
    record Status(String status, int targets, int completed, int errors, int deliveryTimedOut) {
        boolean finished() {
            return !status.equals("Pending") && !status.equals("InProgress") && !status.equals("Cancelling");
        }
    }

    /** One instance's invocation as ListCommandInvocations gives it. */
    record Invocation(String instanceId, String status, String statusDetails) {}

    CommandCalls(FleetClient client, SigV4Credentials admin) {
        this.client = client;
        this.admin = admin;
    }

    /**
     * {@code AWS-RunShellScript} to every instance carrying tag key {@code tagKey}, with these rate controls;
     * returns the command id.
     */
    String sendToTagKey(String tagKey, String maxConcurrency, String maxErrors, String comment)
            throws IOException, ApiCallException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("DocumentName", "AWS-RunShellScript");
        body.put("Targets", List.of(Map.of("Key", "tag-key", "Values", List.of(tagKey))));
        body.put("Parameters", Map.of("commands", List.of("true")));
        body.put("MaxConcurrency", maxConcurrency);
        body.put("MaxErrors", maxErrors);
        body.put("TimeoutSeconds", 600);
        body.put("Comment", comment);
        return client.call("AmazonSSM.SendCommand", body, Optional.of(admin))
                .path("Command")
                .path("CommandId")
                .asText();
    }

    Status status(String commandId) throws IOException, ApiCallException {
        JsonNode c = client.call("AmazonSSM.ListCommands", Map.of("CommandId", commandId), Optional.of(admin))
                .path("Commands")
                .path(0);
        return new Status(
                c.path("Status").asText(),
                c.path("TargetCount").asInt(),
                c.path("CompletedCount").asInt(),
                c.path("ErrorCount").asInt(),
                c.path("DeliveryTimedOutCount").asInt());
    }

    /** Every invocation of the command, by instance id. */
    Map<String, Invocation> invocations(String commandId) throws IOException, ApiCallException {
        Map<String, Invocation> all = new LinkedHashMap<>();
        String next = null;
        do {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("CommandId", commandId);
            body.put("MaxResults", 50);
            if (next != null) {
                body.put("NextToken", next);
            }
            JsonNode page = client.call("AmazonSSM.ListCommandInvocations", body, Optional.of(admin));
            for (JsonNode i : page.path("CommandInvocations")) {
                String id = i.path("InstanceId").asText();
                all.put(
                        id,
                        new Invocation(
                                id,
                                i.path("Status").asText(),
                                i.path("StatusDetails").asText()));
            }
            next = page.hasNonNull("NextToken") ? page.path("NextToken").asText() : null;
        } while (next != null);
        return all;
    }
}
