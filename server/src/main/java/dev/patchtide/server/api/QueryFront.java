package dev.patchtide.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AWS query protocol wire ({@code POST /}, form-encoded {@code Action=…&Version=…}, XML answers), as
 * {@code aws sns} and the SDKs speak it. It only translates: the form becomes the JSON tree of the
 * operation's JSON twin, which {@link ApiRouter} authenticates, binds, authorizes, validates and runs
 * exactly as a JSON request; the response object and errors are then written as the model's XML.
 */
final class QueryFront {
    private static final Logger log = LoggerFactory.getLogger(QueryFront.class);

    /** Generic errors under the names of the query protocol's common errors. */
    private static final Map<String, String> COMMON_CODES = Map.of(
            "ValidationException", "ValidationError",
            "MissingAuthenticationTokenException", "MissingAuthenticationToken",
            "IncompleteSignatureException", "IncompleteSignature",
            "InvalidSignatureException", "SignatureDoesNotMatch",
            "UnrecognizedClientException", "InvalidClientTokenId",
            "InternalServerError", "InternalFailure");

    private final ApiRouter router;
    private final ObjectMapper json;
    private final MeterRegistry metrics;
    private final Map<String, QueryService> services = new LinkedHashMap<>();

    QueryFront(ApiRouter router, ObjectMapper json, MeterRegistry metrics) {
        this.router = router;
        this.json = json;
        this.metrics = metrics;
    }

    static boolean accepts(String contentType) {
        return contentType != null
                && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    }

    void register(QueryService service) {
        if (services.putIfAbsent(service.version(), service) != null) {
            throw new IllegalStateException("query service version registered twice: " + service.version());
        }
    }

    void handle(Context ctx) {
        String requestId = RequestIds.next();
        Timer.Sample timing = Timer.start(metrics);
        String action = "unknown";
        String outcome = "ok";
        QueryService service = null;
        ctx.header("x-amzn-RequestId", requestId);
        ctx.contentType("text/xml");
        try {
            byte[] body = RequestBody.read(ctx, RequestBody.API_LIMIT);
            Map<String, String> form = QueryDecoder.parseForm(body);
            service = service(form.get("Version"));
            QueryService.Operation operation = operation(service, form.get("Action"));
            Action<?> registered = router.action(operation.target())
                    .orElseThrow(() -> new IllegalStateException("no action " + operation.target()));
            action = operation.target();
            Object response = router.run(
                    registered, ctx, body, service.signingName(), () -> QueryDecoder.decode(operation, form));
            String xml = QueryXml.response(service, operation, json.valueToTree(response), requestId);
            ctx.status(200).result(xml.getBytes(StandardCharsets.UTF_8));
        } catch (ApiException e) {
            outcome = writeError(ctx, service, e, requestId);
        } catch (RuntimeException e) {
            log.error("query request {} to {} failed", requestId, action, e);
            outcome = writeError(
                    ctx,
                    service,
                    new ApiException.Transient("InternalServerError", "Internal error; request id " + requestId),
                    requestId);
        } finally {
            timing.stop(Timer.builder("patchtide.api.requests")
                    .description("API requests by action and outcome (AWS error code or ok)")
                    .tag("action", action)
                    .tag("outcome", outcome)
                    .register(metrics));
        }
    }

    /** By the form's {@code Version}; a server with one query service also takes requests without one. */
    private QueryService service(String version) {
        if (version == null) {
            if (services.size() == 1) {
                return services.values().iterator().next();
            }
            throw new ApiException.Invalid("MissingParameter", "The request must contain the parameter Version");
        }
        QueryService service = services.get(version);
        if (service == null) {
            throw new ApiException.Invalid(
                    "NoSuchVersion", "The requested version (" + Validation.clip(version) + ") is not served here");
        }
        return service;
    }

    private static QueryService.Operation operation(QueryService service, String name) {
        if (name == null) {
            throw new ApiException.Invalid("MissingAction", "The request must contain the parameter Action");
        }
        QueryService.Operation operation = service.operations().get(name);
        if (operation == null) {
            throw new ApiException.Invalid(
                    "InvalidAction",
                    "The action or operation requested is invalid. Verify that the action is typed correctly: "
                            + Validation.clip(name));
        }
        return operation;
    }

    /** Writes the error under the service's code for it and answers with that code, for the metrics. */
    private static String writeError(Context ctx, QueryService service, ApiException e, String requestId) {
        String code = service == null ? null : service.errorCodes().get(e.code());
        if (code == null) {
            code = COMMON_CODES.getOrDefault(e.code(), e.code());
        }
        int status = ErrorWire.queryStatus(e);
        String xml = QueryXml.error(
                service == null ? null : service.xmlNamespace(), status < 500, code, e.getMessage(), requestId);
        if (e instanceof ApiException.TooLarge) {
            RequestBody.answerUnread(ctx, status, "text/xml", xml.getBytes(StandardCharsets.UTF_8));
        } else {
            ctx.status(status).result(xml.getBytes(StandardCharsets.UTF_8));
        }
        return code;
    }
}
