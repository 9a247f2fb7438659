package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.core.auth.SignableRequest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's wire protocol for many agents at once: the agent's own {@link ApiClient}, signing with each
 * agent's key, over one shared keep-alive HTTP/1.1 client (an {@code ApiClient} of its own owns a selector
 * thread and a connection pool, right for one host but not for 100,000 in one JVM).
 */
final class FleetClient {
    private final URI endpoint;
    private final String region;
    private final HttpClient http;
    private final WireClient wire;
    private final List<String> hostHeader;
    private static final List<String> CONTENT_TYPE = List.of("application/x-amz-json-1.1");
    private final ObjectMapper json;
    /** The HTTP client's own threads (its selector and executor): their CPU is the simulator's, not the server's. */
    private final Set<Long> httpThreads = ConcurrentHashMap.newKeySet();

    FleetClient(URI endpoint, String region, ObjectMapper json) {
        this(endpoint, region, json, WireClient.POOLED);
    }

    /** @param pooledConnections the most connections calls from short-lived threads share ({@link WireClient}) */
    FleetClient(URI endpoint, String region, ObjectMapper json, int pooledConnections) {
        this.endpoint = endpoint;
        this.region = region;
        this.json = json;
        // WireClient speaks plain http; an https server gets the reports through ApiClient instead.
        this.wire = "http".equals(endpoint.getScheme()) ? new WireClient(endpoint, pooledConnections) : null;
        this.hostHeader =
                List.of(endpoint.getPort() == -1 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort());
        Set<Long> before = threadsNamed("HttpClient-");
        AtomicInteger n = new AtomicInteger();
        // A fixed executor (the default one is a cached pool whose threads come and go, and their CPU with them).
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(4, r -> {
                    Thread t = new Thread(r, "fleet-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    httpThreads.add(t.threadId());
                    return t;
                }))
                .build();
        Set<Long> selector = threadsNamed("HttpClient-");
        selector.removeAll(before);
        httpThreads.addAll(selector);
    }

    /** CPU time the HTTP client's own threads have used so far. */
    long httpCpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : httpThreads) {
            total += Math.max(0, mx.getThreadCpuTime(id));
        }
        return total;
    }

    private static Set<Long> threadsNamed(String prefix) {
        Set<Long> ids = new HashSet<>();
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            if (info.getThreadName().startsWith(prefix)) {
                ids.add(info.getThreadId());
            }
        }
        return ids;
    }

    /**
     * A signed call on the hot path over {@link WireClient}: the headers {@code ApiClient} sends, signed the
     * same way (core's {@link SigV4}), the same errors.
     */
    JsonNode callSigned(String target, byte[] body, SigV4Credentials credentials) throws IOException, ApiCallException {
        return callSigned(target, body, credentials, false).body();
    }

    /** An answer and when its bytes had all arrived (System.nanoTime), before it was parsed. */
    record Answer(JsonNode body, long receivedNanos) {}

    /** As {@link #callSigned}, saying when the answer's bytes arrived (an agent's receipt of its invocations). */
    Answer callSignedTimed(String target, byte[] body, SigV4Credentials credentials)
            throws IOException, ApiCallException {
        return callSigned(target, body, credentials, false);
    }

    /** Takes each answer of a stream and when its line's last byte arrived (System.nanoTime). */
    @FunctionalInterface
    interface Answers {
        void accept(JsonNode answer, long receivedNanos) throws IOException;
    }

    /**
     * A signed call whose answer is a stream of lines (a held poll), over this thread's own connection: each line is
     * parsed and handed on as it arrives. An answer that is not a stream is handed on whole, or thrown as the error.
     */
    void streamSigned(String target, byte[] body, SigV4Credentials credentials, Answers each)
            throws IOException, ApiCallException {
        if (wire == null) {
            throw new IllegalStateException("streams need the plain-http wire client");
        }
        WireClient.Response response = wire.post(
                signedHeaders(target, body, credentials), body, (line, at) -> each.accept(json.readTree(line), at));
        if (response.status() / 100 != 2 || response.body().length > 0) {
            each.accept(answerOf(response), response.receivedNanos());
        }
    }

    private Map<String, String> signedHeaders(String target, byte[] body, SigV4Credentials credentials) {
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", hostHeader);
        headers.put("Content-Type", CONTENT_TYPE);
        headers.put("X-Amz-Target", List.of(target));
        return SigV4.sign(
                new SignableRequest("POST", "/", "", headers, body), credentials, region, "ssm", Instant.now());
    }

    /**
     * The same from a thread that ends after a call or two (an agent's result sent from its run's thread): over a
     * connection of {@link WireClient}'s shared pool, not one opened for this thread and left open when it ends.
     */
    JsonNode callSignedFromShortThread(String target, byte[] body, SigV4Credentials credentials)
            throws IOException, ApiCallException {
        return callSigned(target, body, credentials, true).body();
    }

    private Answer callSigned(String target, byte[] body, SigV4Credentials credentials, boolean pooled)
            throws IOException, ApiCallException {
        if (wire == null) {
            JsonNode answer = callBytes(target, body, Optional.of(credentials));
            return new Answer(answer, System.nanoTime());
        }
        Map<String, String> signed = signedHeaders(target, body, credentials);
        WireClient.Response response = pooled ? wire.postPooled(signed, body) : wire.post(signed, body);
        return new Answer(answerOf(response), response.receivedNanos());
    }

    /** A whole answer's JSON; an error status is thrown as the API's error. */
    private JsonNode answerOf(WireClient.Response response) throws IOException, ApiCallException {
        JsonNode answer = response.body().length == 0 ? json.createObjectNode() : json.readTree(response.body());
        if (response.status() / 100 != 2) {
            throw new ApiCallException(
                    answer.path("__type").asText("HTTP " + response.status()),
                    answer.path("message").asText(answer.path("Message").asText("")),
                    response.status());
        }
        return answer;
    }

    ObjectMapper json() {
        return json;
    }

    JsonNode call(String target, Object request, Optional<SigV4Credentials> credentials)
            throws IOException, ApiCallException {
        return callBytes(target, json.writeValueAsBytes(request), credentials);
    }

    /**
     * Admin calls sent again so far (connect timed out, or a kept-alive connection found closed): a SendCommand
     * that needed a new connection to a server holding ten thousand polls shows its wait here, not in the server.
     */
    int adminCallsSentAgain() {
        return adminCallsSentAgain.get();
    }

    private final AtomicInteger adminCallsSentAgain = new AtomicInteger();

    /**
     * An admin's call; sent again when the connection could not even be opened (nothing was sent: a server busy
     * accepting ten thousand agents' connections may take longer than the connect timeout), or once when a
     * pooled connection turned out closed before any answer.
     */
    JsonNode callBytes(String target, byte[] body, Optional<SigV4Credentials> credentials)
            throws IOException, ApiCallException {
        ApiClient client = new ApiClient(endpoint, region, credentials, InstantSource.system(), http);
        for (int attempt = 1; ; attempt++) {
            try {
                return client.callBytes(target, body);
            } catch (java.net.http.HttpConnectTimeoutException e) {
                adminCallsSentAgain.incrementAndGet();
                if (attempt == 5) {
                    throw e;
                }
            } catch (IOException e) {
                adminCallsSentAgain.incrementAndGet();
                // A kept-alive connection the server had closed while idle: the request never reached it.
                if (attempt > 1 || e.getMessage() == null || !e.getMessage().contains("received no bytes")) {
                    throw e;
                }
            }
        }
    }
}
