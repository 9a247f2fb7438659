package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.auth.Principal;
import dev.patchtide.workflow.StatesError;
import java.util.UUID;

/**
 * Runs one of this server's own API actions for a workflow task, as an operator would call it (the router binds,
 * validates and runs it exactly as for a signed request), and turns an API error into the task's error
 * {@code <Service>.<Code>Exception}, the name AWS gives errors of its service integrations.
 */
final class LocalCalls {
    /** The caller a workflow's tasks act as: executions run with the operator's authority. */
    static final Principal CALLER = new Principal.Admin("states.amazonaws.com");

    private final ApiRouter router;

    LocalCalls(ApiRouter router) {
        this.router = router;
    }

    JsonNode call(String target, JsonNode request, String errorPrefix) {
        try {
            Object response = router.invoke(target, request, CALLER);
            return ApiJson.mapper().valueToTree(response);
        } catch (ApiException e) {
            String code = e.code().endsWith("Exception") ? e.code() : e.code() + "Exception";
            int status = dev.patchtide.server.api.ErrorWire.jsonStatus(e);
            throw new StatesError(
                    errorPrefix + "." + code,
                    e.getMessage() + " (Service: " + errorPrefix + ", Status Code: " + status + ", Request ID: "
                            + UUID.randomUUID() + ")");
        }
    }

    /** The metadata AWS's optimized integrations add to a call's answer. */
    static ObjectNode withSdkMetadata(JsonNode response) {
        ObjectNode out = response.isObject()
                ? ((ObjectNode) response).deepCopy()
                : ApiJson.documents().createObjectNode();
        String requestId = UUID.randomUUID().toString();
        ObjectNode http = out.putObject("SdkHttpMetadata");
        http.putObject("AllHttpHeaders").putArray("x-amzn-RequestId").add(requestId);
        http.putObject("HttpHeaders").put("x-amzn-RequestId", requestId);
        http.put("HttpStatusCode", 200);
        out.putObject("SdkResponseMetadata").put("RequestId", requestId);
        return out;
    }
}
