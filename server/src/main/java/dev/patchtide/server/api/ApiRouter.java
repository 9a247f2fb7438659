package dev.patchtide.server.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.patchtide.core.auth.SignableRequest;
import dev.patchtide.server.auth.Authenticator;
import dev.patchtide.server.auth.Principal;
import dev.patchtide.server.auth.SigningNames;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single entry point of the API: {@code POST /} with {@code X-Amz-Target}. Authenticates, binds the
 * JSON body to the action's request record, authorizes, validates, runs the handler, and maps every
 * error to AWS's JSON error shape, in that order (as AWS does: a bad signature is reported before a bad
 * body). Form-encoded requests without a target are AWS query protocol calls ({@link QueryFront}),
 * decoded into the same JSON tree and run through the same path.
 */
public final class ApiRouter {
    private static final Logger log = LoggerFactory.getLogger(ApiRouter.class);

    private final Map<String, Action<?>> actions = new HashMap<>();
    private final Authenticator authenticator;
    private final ObjectMapper json;
    private final MeterRegistry metrics;
    private final Authorizer authorizer;
    private final QueryFront query;
    private final DirectBind direct;

    public ApiRouter(Authenticator authenticator, ObjectMapper json, MeterRegistry metrics, Authorizer authorizer) {
        this.authenticator = authenticator;
        this.json = json;
        this.metrics = metrics;
        this.authorizer = authorizer;
        this.query = new QueryFront(this, json, metrics);
        this.direct = new DirectBind(json);
    }

    public void register(Action<?> action) {
        SigningNames.forTarget(action.target()); // fails at start-up for a target no signing name covers
        if (actions.putIfAbsent(action.target(), action) != null) {
            throw new IllegalStateException("action registered twice: " + action.target());
        }
    }

    /** Serves a query-protocol service (SNS) whose operations run actions registered here. */
    public void register(QueryService service) {
        query.register(service);
    }

    public void handle(Context ctx) {
        String target = ctx.header("X-Amz-Target");
        if (target == null && QueryFront.accepts(ctx.contentType())) {
            query.handle(ctx);
            return;
        }
        String requestId = RequestIds.next();
        Timer.Sample timing = Timer.start(metrics);
        String outcome = "ok";
        ctx.header("x-amzn-RequestId", requestId);
        ctx.contentType(responseContentType(ctx.contentType()));
        try {
            Object response = dispatch(target, ctx);
            if (response instanceof StreamedResponse streamed) {
                stream(ctx, streamed);
            } else {
                send(ctx, 200, json.writeValueAsBytes(response));
            }
        } catch (ApiException e) {
            outcome = e.code();
            writeError(ctx, e);
        } catch (RuntimeException | java.io.IOException e) {
            if (ApiException.noConnection(e)) {
                // The pool had no connection for its whole wait: a retryable answer, so callers back off.
                outcome = "ThrottlingException";
                writeError(ctx, ApiException.busy());
            } else {
                // Errors (out of memory, stack overflow) are not request failures: they propagate to Jetty.
                outcome = "InternalServerError";
                log.error("request {} to {} failed", requestId, target, e);
                writeError(
                        ctx,
                        new ApiException.Transient("InternalServerError", "Internal error; request id " + requestId));
            }
        } finally {
            String action = target != null && actions.containsKey(target) ? target : "unknown";
            timing.stop(Timer.builder("patchtide.api.requests")
                    .description("API requests by action and outcome (AWS error code or ok)")
                    .tag("action", action)
                    .tag("outcome", outcome)
                    .register(metrics));
        }
    }

    private Object dispatch(String target, Context ctx) {
        Action<?> action = target == null ? null : actions.get(target);
        if (action == null) {
            throw new ApiException.Invalid(
                    "UnknownOperationException",
                    target == null ? "Missing X-Amz-Target header" : "Unknown operation " + target);
        }
        // Bounded before anything looks at it: no signature is computed over, nor JSON parsed from, a body
        // larger than the limit, and reading stops at the limit however the body is framed.
        byte[] body = RequestBody.read(ctx, RequestBody.API_LIMIT);
        return runJson(action, ctx, body);
    }

    /**
     * The JSON wire: as {@link #run}, but a clean body is bound straight from its bytes ({@link DirectBind}); any
     * other goes the tree way, which answers exactly as it always has.
     */
    private <Q extends ApiRequest> Object runJson(Action<Q> action, Context ctx, byte[] body) {
        Principal caller = authenticate(action, ctx, body, SigningNames.forTarget(action.target()));
        Q request = direct.bind(body, action.requestType())
                .orElseGet(() -> bind(action.requestType(), RequestJson.parse(body, json)));
        return handle(action, request, caller);
    }

    Optional<Action<?>> action(String target) {
        return Optional.ofNullable(actions.get(target));
    }

    /**
     * The one path of every wire: authenticates the caller (unless the action is anonymous) for the service
     * the wire signs as, then decodes the request into a JSON tree shaped like the JSON wire's body (after
     * authentication, so a bad signature is reported before a bad body), binds, authorizes, validates and
     * runs the handler. The body was read within {@link RequestBody#API_LIMIT} before anything else.
     */
    <Q extends ApiRequest> Object run(
            Action<Q> action, Context ctx, byte[] body, String signingName, Supplier<JsonNode> decode) {
        Principal caller = authenticate(action, ctx, body, signingName);
        return invoke(action, decode.get(), caller);
    }

    private <Q extends ApiRequest> Principal authenticate(
            Action<Q> action, Context ctx, byte[] body, String signingName) {
        return action.access() instanceof Access.Anonymous<Q>
                ? new Principal.Anonymous()
                : authenticator.authenticate(signable(ctx, body), signingName);
    }

    /**
     * Runs a registered action for a caller authenticated otherwise (a dashboard session): binds, authorizes,
     * validates and handles exactly as a signed request would be, and returns the response object.
     */
    public Object invoke(String target, JsonNode request, Principal caller) {
        Action<?> action = actions.get(target);
        if (action == null) {
            throw new ApiException.Invalid("UnknownOperationException", "Unknown operation " + target);
        }
        return invoke(action, request, caller);
    }

    private <Q extends ApiRequest> Object invoke(Action<Q> action, JsonNode tree, Principal caller) {
        return handle(action, bind(action.requestType(), tree), caller);
    }

    /** Authorizes, validates and runs a bound request. */
    private <Q extends ApiRequest> Object handle(Action<Q> action, Q request, Principal caller) {
        authorizer.authorize(action, request, caller);
        Validation validation = new Validation();
        request.validate(validation);
        validation.throwIfInvalid();
        return action.handler().handle(request, caller);
    }

    /**
     * Binds a request tree to an action's request record: the one step every wire goes through (the JSON
     * protocols here; a wire that builds its tree otherwise, such as SNS's form parameters, calls this too).
     * Rejects text the database cannot store anywhere in the tree, then binds, naming the member (never a Java
     * type) when a value has the wrong type.
     */
    public <Q> Q bind(Class<Q> type, JsonNode tree) {
        if (!tree.isObject()) {
            throw new ApiException.Invalid("SerializationException", "Request body must be a JSON object");
        }
        StorableText.check(tree);
        try {
            return json.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ApiException.Invalid(
                    "SerializationException",
                    "Unknown member '" + Validation.clip(e.getPropertyName()) + "' in "
                            + type.getSimpleName().replace("Request", "") + " request");
        } catch (JsonMappingException e) {
            throw new ApiException.Invalid("SerializationException", BindingErrors.describe(e));
        } catch (JacksonException | IllegalArgumentException e) {
            throw new ApiException.Invalid("SerializationException", "The request body could not be read");
        }
    }

    private static SignableRequest signable(Context ctx, byte[] body) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Request jetty = Request.getBaseRequest(ctx.req());
        if (jetty != null) {
            // One pass over Jetty's fields: the servlet way (the set of names, built with a stream on every call,
            // then a scan of all fields per name) cost more than the rest of reading the headers. Same result:
            // each occurrence's value in arrival order, names differing only in case together.
            for (HttpField field : jetty.getHttpFields()) {
                headers.computeIfAbsent(field.getName(), name -> new ArrayList<>(2))
                        .add(field.getValue());
            }
        } else {
            for (String name : Collections.list(ctx.req().getHeaderNames())) {
                headers.put(name, new ArrayList<>(Collections.list(ctx.req().getHeaders(name))));
            }
        }
        String query = ctx.queryString() == null ? "" : ctx.queryString();
        return new SignableRequest(ctx.method().name(), ctx.req().getRequestURI(), query, headers, body);
    }

    /**
     * Hands a streamed answer the servlet's output stream, the connection's idle timeout raised to the stream's
     * length meanwhile (Jetty's default, 30 s, would cut a stream held quiet that long) and put back after. A
     * failure after the first flush cannot be answered any more: the body ends there, and the client reconnects.
     */
    private void stream(Context ctx, StreamedResponse streamed) throws java.io.IOException {
        HttpServletResponse response = ctx.res();
        response.setStatus(200);
        response.setContentType(streamed.contentType());
        Request jetty = Request.getBaseRequest(ctx.req());
        org.eclipse.jetty.server.HttpChannel channel = jetty == null ? null : jetty.getHttpChannel();
        long idle = channel == null ? 0 : channel.getIdleTimeout();
        if (channel != null && idle > 0) {
            channel.setIdleTimeout(Math.max(idle, streamed.longest().toMillis()));
        }
        try {
            streamed.writeTo(response.getOutputStream());
        } catch (java.io.IOException clientGone) {
            // The client hung up: nobody to answer.
        } catch (RuntimeException e) {
            if (!response.isCommitted()) {
                response.setContentType(responseContentType(ctx.contentType()));
                throw e;
            }
            if (!(e instanceof ApiException)) {
                log.error("a streamed answer failed after its first line", e);
            }
        } finally {
            if (channel != null && idle > 0) {
                channel.setIdleTimeout(idle);
            }
        }
    }

    private void writeError(Context ctx, ApiException e) {
        Map<String, String> body = new HashMap<>();
        body.put("__type", e.code());
        body.put("message", e.getMessage());
        ctx.header("x-amzn-ErrorType", e.code());
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (java.io.IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        if (e instanceof ApiException.TooLarge) {
            RequestBody.answerUnread(ctx, ErrorWire.jsonStatus(e), ctx.res().getContentType(), bytes);
        } else {
            send(ctx, ErrorWire.jsonStatus(e), bytes);
        }
    }

    /**
     * Writes a whole answer with its length. Handed to {@code ctx.result}, Javalin copies the bytes once more
     * through a fresh 32 KB buffer on every request; written here, Jetty sends them as they are. A client that
     * accepts gzip still goes through Javalin, whose compression decides as it always has.
     */
    private static void send(Context ctx, int status, byte[] bytes) {
        ctx.status(status);
        String encodings = ctx.header("Accept-Encoding");
        if (encodings != null && encodings.toLowerCase(java.util.Locale.ROOT).contains("gzip")) {
            ctx.result(bytes);
            return;
        }
        HttpServletResponse response = ctx.res();
        response.setContentLength(bytes.length);
        try {
            response.getOutputStream().write(bytes);
        } catch (java.io.IOException clientGone) {
            // The client hung up: nobody to answer.
        }
    }

    /** Answers in the JSON protocol version the client spoke (1.0 for Step Functions, 1.1 for SSM and Events). */
    private static String responseContentType(String requestContentType) {
        if (requestContentType != null && requestContentType.startsWith("application/x-amz-json-1.0")) {
            return "application/x-amz-json-1.0";
        }
        return "application/x-amz-json-1.1";
    }
}
