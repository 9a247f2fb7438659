package dev.patchtide.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.patchtide.core.auth.SigV4;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.core.auth.SignableRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A client of Patchtide's AWS JSON API, for the agent and the admin CLI: signs each request with
 * Signature V4 (or sends it unsigned when there is no credential yet, for registration) and turns
 * AWS-shaped errors into {@link ApiCallException}.
 */
public final class ApiClient {
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private final URI endpoint;
    private final String region;
    private final Optional<SigV4Credentials> credentials;
    private final InstantSource clock;
    /** An API answer longer than this is refused before it is read whole (the largest, a plan, is far smaller). */
    static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

    private final HttpTransport http;

    /** Over {@code HttpURLConnection}, trusting the JDK's CAs for https. */
    public ApiClient(URI endpoint, String region, Optional<SigV4Credentials> credentials, InstantSource clock) {
        this(endpoint, region, credentials, clock, HttpTransport.urlConnection(Optional.empty()));
    }

    /**
     * Over an HTTP client shared with other {@code ApiClient}s: a process speaking for many instances (the
     * fleet simulator) needs one connection pool, not one per credential.
     */
    public ApiClient(
            URI endpoint, String region, Optional<SigV4Credentials> credentials, InstantSource clock, HttpClient http) {
        this(endpoint, region, credentials, clock, HttpTransport.of(http));
    }

    public ApiClient(
            URI endpoint,
            String region,
            Optional<SigV4Credentials> credentials,
            InstantSource clock,
            HttpTransport http) {
        this.endpoint = endpoint.resolve("/");
        this.region = region;
        this.credentials = credentials;
        this.clock = clock;
        this.http = http;
    }

    /** What to do with each item of a paged listing; it may call the API itself. */
    @FunctionalInterface
    public interface ItemHandler {
        void accept(JsonNode item) throws IOException, ApiCallException;
    }

    /**
     * Calls a paged listing action page after page, following its next token ({@code NextToken}, or
     * {@code nextToken} for Step Functions, whose members are lower camel case), and hands every element of the
     * response's {@code listMember} array to {@code each}.
     */
    public void forEachItem(String target, Object request, String listMember, ItemHandler each)
            throws IOException, ApiCallException {
        String tokenMember = target.startsWith("AWSStepFunctions.") ? "nextToken" : "NextToken";
        com.fasterxml.jackson.databind.node.ObjectNode paged =
                AgentJson.mapper().valueToTree(request);
        String next = null;
        do {
            if (next != null) {
                paged.put(tokenMember, next);
            }
            JsonNode page = call(target, paged);
            for (JsonNode item : page.path(listMember)) {
                each.accept(item);
            }
            next = page.path(tokenMember).isTextual() ? page.path(tokenMember).asText() : null;
        } while (next != null);
    }

    /** Calls {@code target} (for example {@code AmazonSSM.UpdateInstanceInformation}) and returns the response body. */
    public JsonNode call(String target, Object request) throws IOException, ApiCallException {
        return callBytes(target, JsonCodec.write(request));
    }

    /** As {@link #call}, with the request body already serialised. */
    public JsonNode callBytes(String target, byte[] body) throws IOException, ApiCallException {
        HttpTransport.Answer response = http.post(endpoint, signed(target, body), body, CALL_TIMEOUT, MAX_ANSWER_BYTES);
        return answer(response);
    }

    /** Takes each answer of a streamed call as it arrives. */
    @FunctionalInterface
    public interface AnswerHandler {
        void accept(JsonNode answer) throws IOException;
    }

    /**
     * Calls {@code target} for a stream of answers (a held {@code ReceiveCommandInvocations}): each line of the
     * answer, one JSON object, is read and handed to {@code each} as it arrives, until the server ends the body.
     * A line longer than {@link #MAX_ANSWER_BYTES} fails the call. An answer that is not a stream (an error, or a
     * server that answered in one piece) is handled as {@link #call} handles it: an error is thrown, a whole answer
     * is handed to {@code each} as the only one.
     */
    public void stream(String target, Object request, AnswerHandler each) throws IOException, ApiCallException {
        byte[] body = JsonCodec.write(request);
        HttpTransport.Answer response = http.postForLines(
                endpoint,
                signed(target, body),
                body,
                CALL_TIMEOUT,
                MAX_ANSWER_BYTES,
                line -> each.accept(JsonCodec.readTree(line)));
        if (response.status() / 100 != 2 || response.body().length > 0) {
            each.accept(answer(response));
        }
    }

    /** How long a call waits for the server's next bytes: longer than a held poll's longest quiet (20 s). */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private Map<String, String> signed(String target, byte[] body) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", List.of(hostHeader()));
        headers.put("Content-Type", List.of(CONTENT_TYPE));
        headers.put("X-Amz-Target", List.of(target));
        Map<String, String> toSend = credentials
                .map(c -> SigV4.sign(
                        new SignableRequest("POST", "/", "", headers, body),
                        c,
                        region,
                        signingService(target),
                        clock.instant()))
                .orElseGet(() -> Map.of("Content-Type", CONTENT_TYPE, "X-Amz-Target", target));
        return toSend;
    }

    private static JsonNode answer(HttpTransport.Answer response) throws IOException, ApiCallException {
        JsonNode answer = response.body().length == 0
                ? JsonNodeFactory.instance.objectNode()
                : JsonCodec.readTree(response.body());
        if (response.status() / 100 != 2) {
            throw new ApiCallException(
                    answer.path("__type").asText("HTTP " + response.status()),
                    answer.path("message").asText(answer.path("Message").asText("")),
                    response.status());
        }
        return answer;
    }

    /**
     * Downloads {@code path} (a public file of the server, such as {@code /agent-packages/<file>}) into {@code
     * to} over the same connection (and pinned CA) as the API calls; fails once more than {@code maxBytes}
     * arrive, whatever the server announced, so an endless answer cannot fill the disk.
     */
    public void download(String path, long maxBytes, Path to) throws IOException {
        http.download(endpoint.resolve(path), Duration.ofMinutes(10), maxBytes, to);
    }

    /** Breaks off the call {@code thread} waits in (a held long poll), for a prompt stop. */
    public void abortCall(Thread thread) {
        http.abort(thread);
    }

    /** The agent's Jackson mapper, for the one-shot CLI; the daemon (its commands too) uses {@link JsonCodec}. */
    public ObjectMapper json() {
        return AgentJson.mapper();
    }

    public URI endpoint() {
        return endpoint;
    }

    private String hostHeader() {
        int port = endpoint.getPort();
        return port == -1 ? endpoint.getHost() : endpoint.getHost() + ":" + port;
    }

    /** The signing name of the service a target belongs to, as the AWS SDKs use it. */
    private static String signingService(String target) {
        if (target.startsWith("AWSEvents.")) {
            return "events";
        }
        if (target.startsWith("AWSStepFunctions.")) {
            return "states";
        }
        return "ssm";
    }
}
