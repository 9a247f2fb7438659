package dev.patchtide.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.core.auth.SigV4Credentials;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The simulated agents' connections stay bounded from one command to the next. Each agent sends its result from
 * the run's own short-lived thread; over a connection of that thread's own, every result left a socket open that
 * nothing used or closed again, and at 10,000 agents the second command's results failed for want of files (the
 * process may hold 20,000), so the command never ended. Answered here by a small keep-alive HTTP server that
 * counts the connections it accepts and the ones still open.
 */
class CommandAgentsConnectionsTest {
    private static final int HOSTS = 300;
    /** The results' pool: small beside the 300 results, so one connection per result could not pass. */
    private static final int RESULT_CONNECTIONS = 20;

    private CountingServer server;

    @BeforeEach
    void start() throws IOException {
        server = new CountingServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void resultsOfTheSecondCommandOpenNoNewConnections() throws Exception {
        FleetClient client =
                new FleetClient(server.endpoint(), CommandRig.REGION, FleetSimulator.mapper(), RESULT_CONNECTIONS);
        List<Fleet.Agent> registered = new ArrayList<>();
        for (int h = 0; h < HOSTS; h++) {
            String id = "mi-%017x".formatted(h);
            registered.add(new Fleet.Agent(id, new SigV4Credentials("AKIDTEST" + h, "secret" + h)));
            server.queues.put(id, new LinkedBlockingQueue<>());
        }
        try (CommandAgents agents = new CommandAgents(client, Fleet.of(client, registered), 1)) {
            agents.start(HOSTS);
            await().atMost(Duration.ofSeconds(30)).until(() -> server.open.get() >= HOSTS);

            server.send("command-1");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> agents.tally("command-1").succeeded.get() == HOSTS);
            int afterFirst = server.accepted.get();

            server.send("command-2");
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> agents.tally("command-2").succeeded.get() == HOSTS);

            assertThat(server.results.get()).isEqualTo(2 * HOSTS);
            // The second command's results go over the pool the first one's left idle: at most the pool is opened
            // again (its connections age out after 10 s idle), never a connection per result.
            assertThat(server.accepted.get() - afterFirst)
                    .as("connections opened for the second command's %d results", HOSTS)
                    .isLessThanOrEqualTo(RESULT_CONNECTIONS);
            // and none is left open behind: one per agent's poll, plus the results' pool.
            await().atMost(Duration.ofSeconds(30)).until(() -> server.open.get() <= HOSTS + RESULT_CONNECTIONS);
            assertThat(agents.duplicates()).isEmpty();
            assertThat(agents.oddities()).isEmpty();
        }
    }

    @Test
    void thePoolNeverOpensMoreThanItsSize() throws Exception {
        WireClient wire = new WireClient(server.endpoint(), 4);
        int calls = 60;
        CountDownLatch done = new CountDownLatch(calls);
        AtomicInteger failed = new AtomicInteger();
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < calls; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    WireClient.Response r =
                            wire.postPooled(Map.of("X-Amz-Target", CommandAgents.UPDATE, "Host", "test"), body);
                    if (r.status() != 200) {
                        failed.incrementAndGet();
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(failed.get()).isZero();
        assertThat(server.results.get()).isEqualTo(calls);
        assertThat(server.accepted.get()).isBetween(1, 4);
        assertThat(wire.idlePooled()).isEqualTo(server.accepted.get());
    }

    /**
     * Plain HTTP/1.1 with keep-alive, one virtual thread a connection: a poll gets the next command queued for its
     * instance (or nothing after 1 s); a result is counted and answered {@code {}}.
     */
    private static final class CountingServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        final Map<String, BlockingQueue<String>> queues = new ConcurrentHashMap<>();
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger results = new AtomicInteger();
        private final ObjectMapper json = new ObjectMapper();
        private final Thread acceptor;

        CountingServer() throws IOException {
            acceptor = Thread.ofVirtual().start(this::accept);
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
        }

        void send(String commandId) {
            queues.values().forEach(q -> q.add(commandId));
        }

        private void accept() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    accepted.incrementAndGet();
                    open.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                while (true) {
                    String target = null;
                    int length = 0;
                    String line = line(in);
                    if (line == null) {
                        return; // the client closed it
                    }
                    for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                        int colon = h.indexOf(':');
                        String name = h.substring(0, colon).trim();
                        String value = h.substring(colon + 1).trim();
                        if (name.equalsIgnoreCase("Content-Length")) {
                            length = Integer.parseInt(value);
                        } else if (name.equalsIgnoreCase("X-Amz-Target")) {
                            target = value;
                        }
                    }
                    JsonNode request = json.readTree(in.readNBytes(length));
                    String answer = CommandAgents.RECEIVE.equals(target) ? poll(request) : result();
                    byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: "
                                    + bytes.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
                    out.write(bytes);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the connection ended
            } finally {
                open.decrementAndGet();
            }
        }

        private String poll(JsonNode request) throws InterruptedException {
            BlockingQueue<String> queue = queues.get(request.path("InstanceId").asText());
            String commandId = queue == null ? null : queue.poll(1, TimeUnit.SECONDS);
            return commandId == null
                    ? "{\"Invocations\":[]}"
                    : "{\"Invocations\":[{\"CommandId\":\"" + commandId + "\"}]}";
        }

        private String result() {
            results.incrementAndGet();
            return "{}";
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder s = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    return s.isEmpty() ? null : s.toString();
                }
                if (b != '\r') {
                    s.append((char) b);
                }
            }
            return s.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            acceptor.interrupt();
        }
    }
}
