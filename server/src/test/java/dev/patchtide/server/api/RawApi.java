package dev.patchtide.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.core.auth.SigV4;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.core.auth.SignableRequest;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Requests the SDKs will not send (any body, any signing name), signed by the project's own SigV4 signer. */
final class RawApi {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final TestServer server;

    RawApi(TestServer server) {
        this.server = server;
    }

    record Answer(int status, byte[] raw) {
        JsonNode body() {
            try {
                return ApiJson.documents().readTree(raw);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + new String(raw, StandardCharsets.UTF_8), e);
            }
        }

        String type() {
            return body().path("__type").asText();
        }

        String message() {
            return body().path("message").asText();
        }
    }

    /** Signed by the admin key for the signing name AWS uses for {@code target}. */
    Answer call(String target, String body) throws Exception {
        String service = target.startsWith("AWSEvents.") ? "events" : "ssm";
        return call(target, body, service);
    }

    Answer call(String target, String body, String service) throws Exception {
        return send(target, body.getBytes(StandardCharsets.UTF_8), service, true);
    }

    Answer unsigned(String target, String body) throws Exception {
        return send(target, body.getBytes(StandardCharsets.UTF_8), "ssm", false);
    }

    private Answer send(String target, byte[] bytes, String service, boolean sign) throws Exception {
        URI endpoint = server.endpoint();
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", List.of(endpoint.getHost() + ":" + endpoint.getPort()));
        headers.put("Content-Type", List.of("application/x-amz-json-1.1"));
        headers.put("X-Amz-Target", List.of(target));
        Map<String, String> toSend = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (sign) {
            toSend.putAll(SigV4.sign(
                    new SignableRequest("POST", "/", "", headers, bytes),
                    new SigV4Credentials(
                            server.adminKey().accessKeyId(), server.adminKey().secretAccessKey()),
                    TestServer.REGION,
                    service,
                    Instant.now()));
        } else {
            headers.forEach((name, values) -> toSend.put(name, values.getFirst()));
        }
        HttpRequest.Builder request =
                HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        toSend.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("host")) {
                request.header(name, value);
            }
        });
        HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(response.statusCode(), response.body());
    }
}
