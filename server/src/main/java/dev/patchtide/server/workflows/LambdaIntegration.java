package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.connections.ConnectionCalls;
import dev.patchtide.server.connections.ConnectionCalls.Destination;
import dev.patchtide.server.connections.ConnectionCalls.Failure;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Lambda without Lambda: {@code arn:aws:states:::lambda:invoke} and a bare function ARN
 * ({@code arn:aws:lambda:<region>:<account>:function:<name>}) call an HTTP endpoint of the user's. The function
 * {@code <name>} is the EventBridge API destination of the same name (CreateApiDestination, with its connection's
 * authorization); the payload is POSTed to it (by the destination's method) and its JSON answer is the function's
 * result: in Lambda's invoke shape for {@code lambda:invoke}, bare for a function ARN.
 *
 * <p>Errors as Step Functions raises them for Lambda: a function error (a non-2xx answer, an
 * {@code X-Amz-Function-Error} header, or a body with {@code errorType} and {@code errorMessage}) is named by its
 * {@code errorType} (or {@code Lambda.Unknown} without one), its cause the body; 429 is
 * {@code Lambda.TooManyRequestsException}, 502/503/504 {@code Lambda.ServiceException}, no answer
 * {@code Lambda.SdkClientException}, and no such destination {@code Lambda.ResourceNotFoundException}.
 */
final class LambdaIntegration implements Integration {
    static final String RESOURCE = "arn:aws:states:::lambda:invoke";
    private static final String FUNCTION_ARN = "arn:aws:lambda:";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String NO_ERROR_TYPE =
            "The cause could not be determined because Lambda did not return an error type. Returned payload: ";

    private final ConnectionCalls calls;
    private final String region;
    private final String account;

    LambdaIntegration(ConnectionCalls calls, String region, String account) {
        this.calls = calls;
        this.region = region;
        this.account = account;
    }

    @Override
    public boolean serves(String resource) {
        return resource.equals(RESOURCE) || resource.startsWith(FUNCTION_ARN);
    }

    @Override
    public boolean outward() {
        return true;
    }

    @Override
    public JsonNode call(Effect.RunTask task) {
        boolean optimized = task.resource().equals(RESOURCE);
        if (optimized
                && task.pattern() != Effect.Pattern.REQUEST_RESPONSE
                && task.pattern() != Effect.Pattern.WAIT_FOR_TASK_TOKEN) {
            throw new StatesError(StatesError.RUNTIME, "The resource " + RESOURCE + " has no .sync pattern");
        }
        JsonNode p = task.parameters();
        String function = optimized ? p.path("FunctionName").asText("") : task.resource();
        if (function.isEmpty()) {
            throw new StatesError(StatesError.RUNTIME, "The parameter FunctionName of " + RESOURCE + " is required");
        }
        String name = functionName(function);
        String arn = "arn:aws:lambda:" + region + ":" + account + ":function:" + name;
        Destination destination = calls.destination(name)
                .orElseThrow(() -> error(
                        "Lambda.ResourceNotFoundException",
                        "Function not found: " + arn,
                        404,
                        "ResourceNotFoundException"));
        JsonNode payload = optimized ? p.get("Payload") : p;
        String invocationType = optimized ? p.path("InvocationType").asText("RequestResponse") : "RequestResponse";
        if (invocationType.equals("DryRun")) {
            return invokeResult(204, ApiJson.documents().getNodeFactory().textNode(""));
        }
        String body = payload == null ? "{}" : payload.toString();
        ConnectionCalls.Outgoing outgoing = new ConnectionCalls.Outgoing(
                destination.httpMethod(),
                destination.endpoint(),
                List.of(),
                Map.of("Content-Type", "application/json", "X-Amz-Invocation-Type", invocationType),
                extra -> Optional.of(body));
        ConnectionCalls.Answer answer;
        try {
            answer = calls.call(destination.connectionArn(), outgoing, TIMEOUT, HttpInvokeIntegration.LIMIT);
        } catch (Failure f) {
            throw failure(f);
        }
        String text = new String(answer.body(), StandardCharsets.UTF_8);
        JsonNode result = parse(text);
        checkFunctionError(answer, text, result);
        if (invocationType.equals("Event")) {
            return invokeResult(202, ApiJson.documents().getNodeFactory().textNode(""));
        }
        return optimized ? invokeResult(200, result) : result;
    }

    /** {@code name}, {@code name:qualifier}, {@code account:function:name} or a function ARN: the bare name. */
    static String functionName(String function) {
        int at = function.indexOf("function:");
        String rest = at >= 0 ? function.substring(at + "function:".length()) : function;
        int colon = rest.indexOf(':');
        return colon < 0 ? rest : rest.substring(0, colon);
    }

    private static void checkFunctionError(ConnectionCalls.Answer answer, String text, JsonNode result) {
        int status = answer.status();
        if (status == 429) {
            throw error("Lambda.TooManyRequestsException", "Rate exceeded", 429, "TooManyRequestsException");
        }
        if (status == 502 || status == 503 || status == 504) {
            throw error(
                    "Lambda.ServiceException",
                    "The function's endpoint answered " + status + " " + HttpForms.reason(status),
                    status,
                    "ServiceException");
        }
        boolean flagged = answer.headers().keySet().stream().anyMatch(h -> h.equalsIgnoreCase("x-amz-function-error"));
        boolean errorBody = result.isObject() && result.hasNonNull("errorType") && result.hasNonNull("errorMessage");
        if (status / 100 == 2 && !flagged && !errorBody) {
            return;
        }
        String type = result.path("errorType").asText("");
        if (type.isEmpty()) {
            throw new StatesError("Lambda.Unknown", NO_ERROR_TYPE + text);
        }
        throw new StatesError(type, text);
    }

    private static JsonNode parse(String text) {
        if (text.isBlank()) {
            return ApiJson.documents().getNodeFactory().nullNode();
        }
        try {
            JsonNode parsed = ApiJson.documents().readTree(text);
            return parsed == null || parsed.isMissingNode()
                    ? ApiJson.documents().getNodeFactory().textNode(text)
                    : parsed;
        } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
            return ApiJson.documents().getNodeFactory().textNode(text);
        }
    }

    /** Lambda's Invoke answer as the optimized integration gives it, members in AWS's order. */
    private static ObjectNode invokeResult(int status, JsonNode payload) {
        String requestId = UUID.randomUUID().toString();
        ObjectNode out = ApiJson.documents().createObjectNode();
        out.put("ExecutedVersion", "$LATEST");
        out.set("Payload", payload);
        ObjectNode http = out.putObject("SdkHttpMetadata");
        ObjectNode all = http.putObject("AllHttpHeaders");
        all.putArray("X-Amz-Executed-Version").add("$LATEST");
        all.putArray("x-amzn-RequestId").add(requestId);
        all.putArray("Content-Type").add("application/json");
        ObjectNode headers = http.putObject("HttpHeaders");
        headers.put("Content-Type", "application/json");
        headers.put("X-Amz-Executed-Version", "$LATEST");
        headers.put("x-amzn-RequestId", requestId);
        http.put("HttpStatusCode", status);
        out.putObject("SdkResponseMetadata").put("RequestId", requestId);
        out.put("StatusCode", status);
        return out;
    }

    private static StatesError failure(Failure f) {
        return switch (f.kind()) {
            case TIMEOUT, UNREACHABLE ->
                new StatesError("Lambda.SdkClientException", "Unable to execute HTTP request: " + f.getMessage());
            case TOO_LARGE ->
                new StatesError(
                        HttpInvokeIntegration.DATA_LIMIT,
                        "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes"
                                + " service limit.");
            case NOT_FOUND, AUTHORIZING, NOT_AUTHORIZED, INVALID ->
                error("Lambda.AWSLambdaException", f.getMessage(), 502, "AWSLambdaException");
        };
    }

    private static StatesError error(String error, String message, int status, String code) {
        return new StatesError(
                error,
                message + " (Service: AWSLambda; Status Code: " + status + "; Error Code: " + code + "; Request ID: "
                        + UUID.randomUUID() + "; Proxy: null)");
    }
}
