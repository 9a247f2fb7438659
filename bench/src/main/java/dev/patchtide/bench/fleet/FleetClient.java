package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.core.auth.SigV4;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.core.auth.SignableRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The agent's wire protocol for many agents at once. The agent's own {@code ApiClient} owns one {@link
 * HttpClient} (a selector thread and a connection pool) per credential, right for one host but not for
 * 100,000 in one JVM; this signs exactly as it does — core's {@link SigV4}, same headers, same signing
 * names — over one shared, keep-alive HTTP/1.1 client.
 */
final class FleetClient {
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private final URI endpoint;
    private final String region;
    private final String host;
    private final HttpClient http;
    private final ObjectMapper json;

    FleetClient(URI endpoint, String region, ObjectMapper json) {
        this.endpoint = endpoint.resolve("/");
        this.region = region;
        int port = this.endpoint.getPort();
        this.host = port == -1 ? this.endpoint.getHost() : this.endpoint.getHost() + ":" + port;
        this.json = json;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    ObjectMapper json() {
        return json;
    }

    JsonNode call(String target, Object request, Optional<SigV4Credentials> credentials)
            throws IOException, ApiCallException {
        return callBytes(target, json.writeValueAsBytes(request), credentials);
    }

    JsonNode callBytes(String target, byte[] body, Optional<SigV4Credentials> credentials)
            throws IOException, ApiCallException {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", List.of(host));
        headers.put("Content-Type", List.of(CONTENT_TYPE));
        headers.put("X-Amz-Target", List.of(target));
        Map<String, String> toSend = credentials
                .map(c -> SigV4.sign(
                        new SignableRequest("POST", "/", "", headers, body), c, region, "ssm", java.time.Instant.now()))
                .orElseGet(() -> Map.of("Content-Type", CONTENT_TYPE, "X-Amz-Target", target));
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
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
}
