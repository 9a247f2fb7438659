package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4Credentials;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/**
 * The agent's wire protocol for many agents at once: the agent's own {@link ApiClient}, signing with each
 * agent's key, over one shared keep-alive HTTP/1.1 client (an {@code ApiClient} of its own owns a selector
 * thread and a connection pool, right for one host but not for 100,000 in one JVM).
 */
final class FleetClient {
    private final URI endpoint;
    private final String region;
    private final HttpClient http;
    private final ObjectMapper json;

    FleetClient(URI endpoint, String region, ObjectMapper json) {
        this.endpoint = endpoint;
        this.region = region;
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
        return new ApiClient(endpoint, region, credentials, InstantSource.system(), http).callBytes(target, body);
    }
}
