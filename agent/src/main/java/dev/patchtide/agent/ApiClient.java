package dev.patchtide.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.core.auth.SigV4;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.core.auth.SignableRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
    private final HttpClient http;
    private final ObjectMapper json = AgentJson.mapper();

    public ApiClient(URI endpoint, String region, Optional<SigV4Credentials> credentials, InstantSource clock) {
        this(
                endpoint,
                region,
                credentials,
                clock,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    /**
     * Over an HTTP client shared with other {@code ApiClient}s: a process speaking for many instances (the
     * fleet simulator) needs one connection pool, not one per credential.
     */
    public ApiClient(
            URI endpoint, String region, Optional<SigV4Credentials> credentials, InstantSource clock, HttpClient http) {
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
        com.fasterxml.jackson.databind.node.ObjectNode paged = json.valueToTree(request);
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
        return callBytes(target, json.writeValueAsBytes(request));
    }

    /** As {@link #call}, with the request body already serialised. */
    public JsonNode callBytes(String target, byte[] body) throws IOException, ApiCallException {
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
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        // Host is set by the HTTP client itself (a restricted header); it signs the same value.
        toSend.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("host")) {
                builder.header(name, value);
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + target, e);
        }
        JsonNode answer = response.body().length == 0 ? json.createObjectNode() : json.readTree(response.body());
        if (response.statusCode() / 100 != 2) {
            throw new ApiCallException(
                    answer.path("__type").asText("HTTP " + response.statusCode()),
                    answer.path("message").asText(answer.path("Message").asText("")),
                    response.statusCode());
        }
        return answer;
    }

    /**
     * Downloads {@code path} (a public file of the server, such as {@code /agent-packages/<file>}) into {@code
     * to} over the same connection (and pinned CA) as the API calls; fails once more than {@code maxBytes}
     * arrive, whatever the server announced, so an endless answer cannot fill the disk.
     */
    public void download(String path, long maxBytes, Path to) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(path))
                .timeout(Duration.ofMinutes(10))
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + path, e);
        }
        try (InputStream in = response.body();
                OutputStream out = Files.newOutputStream(to)) {
            if (response.statusCode() != 200) {
                throw new IOException("the server answered HTTP " + response.statusCode() + " for " + path);
            }
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new IOException(path + " is larger than the " + maxBytes + " bytes expected");
                }
                out.write(buffer, 0, n);
            }
        }
    }

    public ObjectMapper json() {
        return json;
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
