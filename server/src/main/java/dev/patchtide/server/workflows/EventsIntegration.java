package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;

/**
 * {@code arn:aws:states:::events:putEvents}: puts events on this server's buses. An entry's {@code Detail} given
 * as a JSON object is sent as its JSON text, as AWS does. An answer with failed entries fails the task with
 * {@code EventBridge.FailedEntry}, as AWS's optimized integration does (the SDK integration would not).
 */
final class EventsIntegration implements Integration {
    static final String FAILED_ENTRY = "EventBridge.FailedEntry";

    private final LocalCalls calls;

    EventsIntegration(LocalCalls calls) {
        this.calls = calls;
    }

    @Override
    public boolean serves(String resource) {
        return resource.equals("arn:aws:states:::events:putEvents");
    }

    @Override
    public JsonNode call(Effect.RunTask task) {
        ObjectNode request = task.parameters().isObject()
                ? ((ObjectNode) task.parameters()).deepCopy()
                : dev.patchtide.server.api.ApiJson.documents().createObjectNode();
        for (JsonNode entry : request.path("Entries")) {
            JsonNode detail = entry.get("Detail");
            if (entry.isObject() && detail != null && !detail.isTextual()) {
                ((ObjectNode) entry).put("Detail", detail.toString());
            }
        }
        JsonNode answer = calls.call("AWSEvents.PutEvents", request, "EventBridge");
        if (answer.path("FailedEntryCount").asInt() > 0) {
            throw new StatesError(FAILED_ENTRY, answer.toString());
        }
        return answer;
    }
}
