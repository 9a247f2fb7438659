package dev.patchtide.server.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.commands.AgentMessages.HandedInvocation;
import dev.patchtide.server.commands.AgentMessages.Invocation;
import dev.patchtide.server.commands.AgentMessages.WrittenInvocation;

/**
 * One command's invocation as a poll's answer carries it, written once in the API's dialect for all the instances
 * a claim hands it to: each instance's own is that text with its id spliced in. Written per poll, each of 10,000
 * answers serialized the same document name, parameters, plan and dates again.
 */
final class InvocationTemplate {
    private static final String HOLE = "@@patchtide-instance@@";

    private final String head;
    private final String tail;

    InvocationTemplate(CommandRow command) {
        String json;
        try {
            json = ApiJson.mapper()
                    .writeValueAsString(new Invocation(
                            command.commandId().toString(),
                            HOLE,
                            command.documentName(),
                            command.documentVersion(),
                            command.parameters(),
                            new RawValue(command.plan()),
                            command.executionTimeoutSeconds(),
                            command.requestedAt()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a command's invocation could not be written", e);
        }
        // The instance's own member, found by its name: a document's parameters or plan may hold any text.
        String member = "\"InstanceId\":\"";
        int at = json.indexOf(member + HOLE + "\"");
        if (at < 0) {
            throw new IllegalStateException("the invocation's InstanceId member was not where it was written");
        }
        at += member.length();
        this.head = json.substring(0, at);
        this.tail = json.substring(at + HOLE.length());
    }

    /** The invocation of {@code instanceId}, as the poll's answer writes it. */
    HandedInvocation of(String instanceId) {
        String id = instanceId;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                id = new String(JsonStringEncoder.getInstance().quoteAsString(instanceId));
                break;
            }
        }
        return new WrittenInvocation(new RawValue(head + id + tail));
    }
}
