package dev.patchtide.agent.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.patchtide.agent.AgentJson;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4Credentials;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the server's side of the command channel on loopback: holds ReceiveCommandInvocations until it has
 * something, lists a cancelled invocation until its final result arrives, and records every
 * UpdateCommandInvocation and PutPatchScanReport it takes. {@link #away} answers everything 503, {@link
 * #refuseUpdates} only the updates.
 */
final class FakeCommandServer implements AutoCloseable {
    static final String INSTANCE = "mi-0123456789abcdef0";
    private static final Set<String> FINAL = Set.of("Success", "Failed", "TimedOut", "Cancelled");

    private final ObjectMapper json = AgentJson.mapper();
    private final HttpServer http;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Object lock = new Object();
    private final List<JsonNode> pending = new ArrayList<>();
    private final Set<String> cancelled = new LinkedHashSet<>();
    private final Set<String> retired = new LinkedHashSet<>();
    final List<JsonNode> updates = new CopyOnWriteArrayList<>();
    final List<JsonNode> scanReports = new CopyOnWriteArrayList<>();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger polls = new AtomicInteger();
    final AtomicInteger awayAnswers = new AtomicInteger();
    volatile boolean away;
    volatile boolean refuseUpdates;

    FakeCommandServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(threads);
        http.createContext("/", this::handle);
        http.start();
    }

    /** A client signing with {@code keyId}, so that {@link #retire} can tell its polls apart. */
    ApiClient client(String keyId) {
        URI uri = URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
        return new ApiClient(uri, "us-east-1", Optional.of(new SigV4Credentials(keyId, "secret")), Clock.systemUTC());
    }

    /**
     * An agent stopped: its poll still held here ends without taking anything (a real server would find the
     * connection gone only when it writes to it; the fake must not hand a later command to a dead agent).
     */
    void retire(String keyId) {
        synchronized (lock) {
            retired.add(keyId);
            lock.notifyAll();
        }
    }

    /** Queues an invocation for the agent (handed out once, as the real server does). */
    void send(JsonNode invocation) {
        synchronized (lock) {
            pending.add(invocation);
            lock.notifyAll();
        }
    }

    void cancel(String commandId) {
        synchronized (lock) {
            cancelled.add(commandId);
            lock.notifyAll();
        }
    }

    List<JsonNode> updatesFor(String commandId) {
        return updates.stream()
                .filter(u -> u.path("CommandId").asText().equals(commandId))
                .toList();
    }

    Optional<JsonNode> finalUpdate(String commandId) {
        return updatesFor(commandId).stream()
                .filter(u -> FINAL.contains(u.path("Status").asText()))
                .findFirst();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
            if (away) {
                awayAnswers.incrementAndGet();
                answer(exchange, 503, error("ServiceUnavailable", "the server is away"));
                return;
            }
            switch (target) {
                case "Patchtide.ReceiveCommandInvocations" -> answer(exchange, 200, receive(body, keyOf(exchange)));
                case "Patchtide.UpdateCommandInvocation" -> {
                    if (refuseUpdates) {
                        refused.incrementAndGet();
                        answer(exchange, 503, error("ServiceUnavailable", "the server is away"));
                        return;
                    }
                    updates.add(body);
                    if (FINAL.contains(body.path("Status").asText())) {
                        synchronized (lock) {
                            cancelled.remove(body.path("CommandId").asText());
                        }
                    }
                    answer(exchange, 200, json.createObjectNode());
                }
                case "Patchtide.PutPatchScanReport" -> {
                    scanReports.add(body);
                    answer(exchange, 200, json.createObjectNode().put("ComplianceStatus", "COMPLIANT"));
                }
                case "AmazonSSM.UpdateInstanceInformation" -> answer(exchange, 200, json.createObjectNode());
                default -> answer(exchange, 400, error("UnknownOperationException", target));
            }
        }
    }

    private static String keyOf(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        int at = auth == null ? -1 : auth.indexOf("Credential=");
        return at < 0 ? "" : auth.substring(at + "Credential=".length(), auth.indexOf('/', at));
    }

    private ObjectNode receive(JsonNode body, String key) {
        polls.incrementAndGet();
        long until = System.nanoTime() + body.path("WaitTimeSeconds").asLong(20) * 1_000_000_000L;
        ObjectNode answer = json.createObjectNode();
        ArrayNode invocations = answer.putArray("Invocations");
        ArrayNode cancellations = answer.putArray("Cancellations");
        synchronized (lock) {
            try {
                for (long left = until - System.nanoTime();
                        pending.isEmpty() && cancelled.isEmpty() && !retired.contains(key) && left > 0;
                        left = until - System.nanoTime()) {
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (retired.contains(key)) {
                return answer;
            }
            pending.forEach(invocations::add);
            pending.clear();
            cancelled.forEach(cancellations::add);
        }
        return answer;
    }

    private ObjectNode error(String type, String message) {
        return json.createObjectNode().put("__type", type).put("message", message);
    }

    private void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    // ---- plans ----

    ObjectNode invocation(String commandId, int executionTimeoutSeconds, JsonNode... steps) {
        ObjectNode invocation = json.createObjectNode()
                .put("CommandId", commandId)
                .put("InstanceId", INSTANCE)
                .put("DocumentName", "AWS-RunShellScript")
                .put("DocumentVersion", "1")
                .put("ExecutionTimeoutSeconds", executionTimeoutSeconds)
                .put("RequestedDateTime", 1_700_000_000);
        invocation.putObject("Parameters");
        invocation.set("Plan", plan(steps));
        return invocation;
    }

    ObjectNode plan(JsonNode... steps) {
        ObjectNode plan = json.createObjectNode();
        ArrayNode array = plan.putArray("Steps");
        for (JsonNode step : steps) {
            array.add(step);
        }
        return plan;
    }

    ObjectNode shell(String name, String... lines) {
        ObjectNode step = step(name, "aws:runShellScript");
        ArrayNode run = ((ObjectNode) step.get("Inputs")).putArray("RunCommand");
        for (String line : lines) {
            run.add(line);
        }
        return step;
    }

    ObjectNode step(String name, String action) {
        ObjectNode step = json.createObjectNode().put("Name", name).put("Action", action);
        step.putObject("Inputs");
        return step;
    }

    @Override
    public void close() {
        synchronized (lock) {
            lock.notifyAll();
        }
        http.stop(0);
        threads.shutdownNow();
    }
}
