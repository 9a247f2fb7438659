package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.connections.ConnectionCalls;
import dev.patchtide.server.connections.ConnectionCalls.Failure;
import dev.patchtide.server.connections.ConnectionCalls.Param;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code arn:aws:states:::http:invoke}, Step Functions' HTTP Task: {@code ApiEndpoint}, {@code Method},
 * {@code Authentication.ConnectionArn} (an EventBridge connection of this server, whose authorization and invocation
 * parameters are applied), {@code Headers}, {@code QueryParameters}, {@code RequestBody} and {@code Transform}. The
 * answer is {@code {Headers, ResponseBody, StatusCode, StatusText}} (a JSON body parsed); any status but 2xx fails
 * the task with {@code States.Http.StatusCode.<code>} and that answer, as JSON text, as its cause. As at AWS, the
 * call has 60 seconds ({@code States.Http.Socket} after them) and an answer of more than 256 KiB fails with
 * {@code States.DataLimitExceeded}.
 */
final class HttpInvokeIntegration implements Integration {
    static final String RESOURCE = "arn:aws:states:::http:invoke";
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Step Functions' payload limit: 256 KiB. */
    static final int LIMIT = 256 * 1024;

    static final String DATA_LIMIT = "States.DataLimitExceeded";

    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");

    // The headers AWS refuses in an HTTP Task's Headers (besides the x-amz-, x-amzn- and x-forwarded- families).
    private static final Set<String> FORBIDDEN = Set.of(
            "a-im",
            "accept-charset",
            "accept-datetime",
            "accept-encoding",
            "authorization",
            "cache-control",
            "connection",
            "content-encoding",
            "content-md5",
            "date",
            "expect",
            "forwarded",
            "from",
            "host",
            "http2-settings",
            "if-match",
            "if-modified-since",
            "if-none-match",
            "if-range",
            "if-unmodified-since",
            "max-forwards",
            "origin",
            "pragma",
            "proxy-authorization",
            "referer",
            "server",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "via",
            "warning");

    private final ConnectionCalls calls;
    private final String region;

    HttpInvokeIntegration(ConnectionCalls calls, String region) {
        this.calls = calls;
        this.region = region;
    }

    @Override
    public boolean serves(String resource) {
        return resource.equals(RESOURCE);
    }

    @Override
    public boolean outward() {
        return true;
    }

    @Override
    public JsonNode call(Effect.RunTask task) {
        if (task.pattern() != Effect.Pattern.REQUEST_RESPONSE) {
            throw new StatesError(
                    StatesError.RUNTIME, "The resource " + RESOURCE + " supports only the request-response pattern");
        }
        JsonNode p = task.parameters();
        String endpoint = text(p, "ApiEndpoint");
        String method = text(p, "Method").toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw invalid("The Method '" + method + "' is not one of "
                    + String.join(", ", METHODS.stream().sorted().toList()));
        }
        JsonNode auth = p.path("Authentication").isObject() ? p.path("Authentication") : p.path("InvocationConfig");
        String connection = text(auth, "ConnectionArn");
        String arrayFormat = p.path("Transform")
                .path("RequestEncodingOptions")
                .path("ArrayFormat")
                .asText("INDICES");
        if (!HttpForms.ARRAY_FORMATS.contains(arrayFormat)) {
            throw invalid("The ArrayFormat '" + arrayFormat + "' is not one of " + HttpForms.ARRAY_FORMATS);
        }
        String encoding = p.path("Transform").path("RequestBodyEncoding").asText("NONE");
        if (!encoding.equals("NONE") && !encoding.equals("URL_ENCODED")) {
            throw invalid("The RequestBodyEncoding '" + encoding + "' is not NONE or URL_ENCODED");
        }
        boolean form = encoding.equals("URL_ENCODED");
        Map<String, String> headers = headers(p.path("Headers"));
        JsonNode body = p.get("RequestBody");
        if (body != null && !headers.containsKey("Content-Type")) {
            headers.put(
                    "Content-Type",
                    form && body.isObject() ? "application/x-www-form-urlencoded" : "application/json; charset=UTF-8");
        }
        headers.put("User-Agent", "Amazon|StepFunctions|HttpInvoke|" + region);
        headers.put("Range", "bytes=0-" + LIMIT);
        List<Param> query = p.path("QueryParameters").isObject()
                ? HttpForms.pairs(p.path("QueryParameters"), arrayFormat)
                : List.of();
        ConnectionCalls.Outgoing outgoing = new ConnectionCalls.Outgoing(
                method, endpoint, query, headers, extra -> body(body, form, arrayFormat, extra));
        ConnectionCalls.Answer answer;
        try {
            answer = calls.call(connection, outgoing, TIMEOUT, LIMIT);
        } catch (Failure f) {
            throw failure(f);
        }
        ObjectNode result = result(answer);
        if (answer.status() / 100 != 2) {
            throw new StatesError("States.Http.StatusCode." + answer.status(), result.toString());
        }
        return result;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw invalid("The HTTP Task's parameter " + field + " is required and must be a string");
        }
        return value.asText();
    }

    private static Map<String, String> headers(JsonNode given) {
        Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (given.isMissingNode() || given.isNull()) {
            return headers;
        }
        if (!given.isObject()) {
            throw invalid("The HTTP Task's Headers must be an object");
        }
        for (Map.Entry<String, JsonNode> h : given.properties()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (FORBIDDEN.contains(lower)
                    || lower.startsWith("x-amz-")
                    || lower.startsWith("x-amzn-")
                    || lower.startsWith("x-forwarded-")) {
                throw invalid("The header '" + h.getKey() + "' is not allowed in an HTTP Task");
            }
            List<String> values = new ArrayList<>();
            if (h.getValue().isArray()) {
                h.getValue().forEach(v -> values.add(HttpForms.scalar(v)));
            } else {
                values.add(HttpForms.scalar(h.getValue()));
            }
            headers.put(h.getKey(), String.join(",", values));
        }
        return headers;
    }

    /** The body: a string as it is; an object or array as JSON, or form-encoded; the connection's parameters added. */
    private static Optional<String> body(JsonNode body, boolean form, String arrayFormat, List<Param> extra) {
        if (body == null) {
            return extra.isEmpty() ? Optional.empty() : Optional.of(form ? HttpForms.encode(extra) : json(extra));
        }
        if (body.isObject()) {
            if (form) {
                List<Param> pairs = new ArrayList<>(HttpForms.pairs(body, arrayFormat));
                pairs.removeIf(p -> extra.stream().anyMatch(e -> e.key().equals(p.key())));
                pairs.addAll(extra);
                return Optional.of(HttpForms.encode(pairs));
            }
            ObjectNode merged = ((ObjectNode) body).deepCopy();
            extra.forEach(e -> merged.put(e.key(), e.value()));
            return Optional.of(merged.toString());
        }
        return Optional.of(body.isTextual() ? body.asText() : body.toString());
    }

    private static String json(List<Param> params) {
        ObjectNode object = ApiJson.documents().createObjectNode();
        params.forEach(e -> object.put(e.key(), e.value()));
        return object.toString();
    }

    private static ObjectNode result(ConnectionCalls.Answer answer) {
        ObjectNode result = ApiJson.documents().createObjectNode();
        ObjectNode headers = result.putObject("Headers");
        answer.headers().forEach((name, values) -> {
            if (!name.startsWith(":")) {
                var list = headers.putArray(name);
                values.forEach(list::add);
            }
        });
        String text = new String(answer.body(), StandardCharsets.UTF_8);
        result.set("ResponseBody", responseBody(text, contentType(answer)));
        result.put("StatusCode", answer.status());
        result.put("StatusText", HttpForms.reason(answer.status()));
        return result;
    }

    private static String contentType(ConnectionCalls.Answer answer) {
        return answer.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase("content-type"))
                .flatMap(e -> e.getValue().stream())
                .findFirst()
                .orElse("")
                .toLowerCase(Locale.ROOT);
    }

    /** A JSON answer parsed, anything else as text. */
    static JsonNode responseBody(String text, String contentType) {
        String media = contentType.split(";", 2)[0].trim();
        if (media.equals("application/json") || media.endsWith("+json")) {
            try {
                JsonNode parsed = ApiJson.documents().readTree(text);
                if (parsed != null && !parsed.isMissingNode()) {
                    return parsed;
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
                // Given as text, as it came.
            }
        }
        return ApiJson.documents().getNodeFactory().textNode(text);
    }

    private static StatesError failure(Failure f) {
        return switch (f.kind()) {
            case TIMEOUT, UNREACHABLE -> new StatesError("States.Http.Socket", f.getMessage());
            case TOO_LARGE ->
                new StatesError(
                        DATA_LIMIT,
                        "The state/task 'http' returned a result with a size exceeding the maximum number of bytes"
                                + " service limit.");
            case NOT_FOUND -> new StatesError("Events.ConnectionResource.ResourceNotFound", f.getMessage());
            case AUTHORIZING -> new StatesError("Events.ConnectionResource.AuthInProgress", f.getMessage());
            case NOT_AUTHORIZED -> new StatesError("Events.ConnectionResource.InvalidConnectionState", f.getMessage());
            case INVALID -> invalid(f.getMessage());
        };
    }

    private static StatesError invalid(String message) {
        return new StatesError(StatesError.RUNTIME, message);
    }
}
