package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.patchtide.agent.ApiClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Topics with one confirmed HTTP subscription each to a loopback receiver, and the notifications it got. */
final class TopicReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ApiClient admin;
    private final HttpServer http;
    private final Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();

    TopicReceiver(ApiClient admin) throws IOException {
        this.admin = admin;
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            received.computeIfAbsent(exchange.getRequestURI().getPath(), k -> new CopyOnWriteArrayList<>())
                    .add(body);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http.start();
    }

    /** A new topic {@code name} whose notifications arrive on {@code /name}; the subscription is confirmed. */
    String topic(String name) throws Exception {
        String arn = admin.call("Patchtide.CreateTopic", Map.of("Name", name))
                .path("TopicArn")
                .asText();
        admin.call(
                "Patchtide.Subscribe",
                Map.of(
                        "TopicArn",
                        arn,
                        "Protocol",
                        "http",
                        "Endpoint",
                        "http://127.0.0.1:" + http.getAddress().getPort() + "/" + name));
        JsonNode confirmation = await("/" + name, 1).getFirst();
        assertThat(confirmation.path("Type").asText()).isEqualTo("SubscriptionConfirmation");
        HttpResponse<String> confirmed = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        confirmation.path("SubscribeURL").asText()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(confirmed.statusCode()).isEqualTo(200);
        return arn;
    }

    /** The notifications (not the confirmation) on topic {@code name}, once there are at least {@code n}. */
    List<JsonNode> notifications(String name, int n) {
        return await("/" + name, n + 1).subList(1, received.get("/" + name).size());
    }

    /** The notifications on topic {@code name} so far. */
    List<JsonNode> notificationsNow(String name) {
        List<JsonNode> all = received.getOrDefault("/" + name, List.of());
        return all.isEmpty() ? List.of() : all.subList(1, all.size());
    }

    private List<JsonNode> await(String path, int n) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> received.getOrDefault(path, List.of()).size() >= n);
        return received.get(path);
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
