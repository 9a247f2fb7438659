package dev.patchtide.server.connections;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP server on 127.0.0.1 that records every request and answers what the test says (200 with an
 * empty JSON object unless told otherwise). Can be stopped and started again on the same port, to play a
 * receiver that is down and comes back.
 */
public final class LoopbackReceiver implements AutoCloseable {
    /** One request as it arrived. Header names are lower case. */
    public record Request(String method, String path, String query, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** What to answer: a status and a body. */
    public record Answer(int status, String body) {}

    public final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Answer> scripted = new ConcurrentLinkedQueue<>();
    private volatile Function<Request, Answer> otherwise = r -> new Answer(200, "{}");
    private volatile int port;
    private HttpServer server;

    private LoopbackReceiver(int port) {
        this.port = port;
    }

    /** A receiver listening on a free port. */
    public static LoopbackReceiver start() {
        LoopbackReceiver receiver = new LoopbackReceiver(0);
        receiver.up();
        return receiver;
    }

    /** A receiver that is down: it owns a port nobody listens on, until {@link #up()}. */
    public static LoopbackReceiver down() {
        LoopbackReceiver probe = start();
        int port = probe.port();
        probe.close();
        return new LoopbackReceiver(port);
    }

    /** Starts listening (again) on this receiver's port. */
    public synchronized LoopbackReceiver up() {
        if (server == null) {
            listen(port);
        }
        return this;
    }

    private void listen(int onPort) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        port = server.getAddress().getPort();
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The next requests get these answers, in order; after them, {@link #otherwise}. */
    public LoopbackReceiver answer(int... statuses) {
        for (int status : statuses) {
            scripted.add(new Answer(status, "{}"));
        }
        return this;
    }

    public LoopbackReceiver answer(Answer answer) {
        scripted.add(answer);
        return this;
    }

    public LoopbackReceiver otherwise(Function<Request, Answer> answers) {
        this.otherwise = answers;
        return this;
    }

    public List<Request> received() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders()
                .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
        Request request = new Request(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath(),
                exchange.getRequestURI().getRawQuery(),
                headers,
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        requests.add(request);
        Answer answer = scripted.poll();
        if (answer == null) {
            answer = otherwise.apply(request);
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
        exchange.close();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }
}
