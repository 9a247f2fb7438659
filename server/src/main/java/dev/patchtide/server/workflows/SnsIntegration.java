package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.workflow.run.Effect;

/**
 * {@code arn:aws:states:::sns:publish}: publishes to one of this server's topics. A {@code Message} that is JSON
 * rather than text is sent as its JSON text, as AWS does; the answer carries {@code MessageId} and the SDK metadata.
 */
final class SnsIntegration implements Integration {
    private final LocalCalls calls;

    SnsIntegration(LocalCalls calls) {
        this.calls = calls;
    }

    @Override
    public boolean serves(String resource) {
        return resource.equals("arn:aws:states:::sns:publish");
    }

    @Override
    public JsonNode call(Effect.RunTask task) {
        ObjectNode request = task.parameters().isObject()
                ? ((ObjectNode) task.parameters()).deepCopy()
                : dev.patchtide.server.api.ApiJson.documents().createObjectNode();
        JsonNode message = request.get("Message");
        if (message != null && !message.isTextual()) {
            request.put("Message", message.toString());
        }
        return LocalCalls.withSdkMetadata(calls.call("Patchtide.Publish", request, "SNS"));
    }
}
