package dev.patchtide.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The daemon's HTTP over HttpURLConnection: what it sends, what it reads, and what it refuses to read. */
class UrlConnectionTransportTest {
    private HttpServer server;
    private URI uri;
    private final HttpTransport transport = HttpTransport.urlConnection(Optional.empty());
    private final AtomicReference<String> contentType = new AtomicReference<>();
    private final CountDownLatch held = new CountDownLatch(1);
    /** Lets the held request end when the test is over (the answer a long poll would give). */
    private final CountDownLatch released = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/echo", exchange -> {
            contentType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/refused", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"__type\":\"InvalidInstanceId\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(400, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/endless", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 0); // chunked: no length announced
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 64; i++) {
                    out.write(new byte[1024]);
                }
            } catch (IOException e) {
                // the client went away, as it should
            }
        });
        server.createContext("/held", exchange -> {
            exchange.getRequestBody().readAllBytes();
            held.countDown();
            try {
                released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        released.countDown();
        server.stop(0);
    }

    @Test
    void postsTheBodyWithItsHeadersAndReadsTheAnswer() throws Exception {
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        HttpTransport.Answer answer = transport.post(
                uri.resolve("/echo"),
                Map.of("Content-Type", "application/x-amz-json-1.1", "Host", "ignored"),
                body,
                Duration.ofSeconds(10),
                1024);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(body);
        assertThat(contentType.get()).isEqualTo("application/x-amz-json-1.1");
    }

    @Test
    void anErrorAnswerIsReadToo() throws Exception {
        HttpTransport.Answer answer =
                transport.post(uri.resolve("/refused"), Map.of(), new byte[0], Duration.ofSeconds(10), 1024);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).contains("InvalidInstanceId");
    }

    @Test
    void anAnswerLongerThanAllowedIsRefusedBeforeItIsReadWhole() {
        assertThatThrownBy(() ->
                        transport.post(uri.resolve("/endless"), Map.of(), new byte[0], Duration.ofSeconds(10), 4096))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("larger than 4096 bytes");
        assertThatThrownBy(
                        () -> transport.post(uri.resolve("/echo"), Map.of(), new byte[100], Duration.ofSeconds(10), 99))
                .hasMessageContaining("larger than 99 bytes");
    }

    @Test
    void aHeldCallIsBrokenOffWhenAborted() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                transport.post(uri.resolve("/held"), Map.of(), new byte[0], Duration.ofSeconds(60), 1024);
            } catch (IOException e) {
                failure.set(e);
            }
        });
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        transport.abort(caller);
        caller.join(Duration.ofSeconds(10));
        assertThat(caller.isAlive()).isFalse();
        assertThat(failure.get()).isInstanceOf(IOException.class);
    }
}
