package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.patchtide.agent.ApiClient;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Event-to-webhook latency on loopback: PutEvents through the API, a rule, an API destination over a
 * connection with no auth, and a JDK HttpServer receiver. Each sample runs from just before PutEvents to
 * the receiver reading the request, N sequential events, then N more from 8 concurrent publishers.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar dev.patchtide.bench.fleet.EventLatency [--events 2000] [--publishers 8]
 * }</pre>
 */
public final class EventLatency {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventLatency() {}

    public static void main(String[] args) throws Exception {
        int events = intOption(args, "--events", 2_000);
        int publishers = intOption(args, "--publishers", 8);
        // PostgreSQL runs as 'nobody' when we are root: it must be able to enter the folder.
        Path dir = Files.createTempDirectory(
                "event-latency", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Map<Long, CompletableFuture<Long>> waiting = new ConcurrentHashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/hook", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            long at = System.nanoTime();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            long seq = JSON.readTree(body).path("detail").path("seq").asLong();
            CompletableFuture<Long> f = waiting.get(seq);
            if (f != null) {
                f.complete(at);
            }
        });
        receiver.start();
        try (ServerTarget server = ServerTarget.inProcess(dir, "us-east-1", 20, false)) {
            ApiClient client =
                    new ApiClient(server.endpoint(), "us-east-1", Optional.of(server.admin()), Clock.systemUTC());
            String connection = client.call(
                            "AWSEvents.CreateConnection",
                            Map.of("Name", "bench", "AuthorizationType", "NONE", "AuthParameters", Map.of()))
                    .path("ConnectionArn")
                    .asText();
            String destination = client.call(
                            "AWSEvents.CreateApiDestination",
                            Map.of(
                                    "Name",
                                    "bench",
                                    "ConnectionArn",
                                    connection,
                                    "InvocationEndpoint",
                                    "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                                    "HttpMethod",
                                    "POST"))
                    .path("ApiDestinationArn")
                    .asText();
            client.call(
                    "AWSEvents.PutRule", Map.of("Name", "bench", "EventPattern", "{\"source\":[\"bench.latency\"]}"));
            client.call(
                    "AWSEvents.PutTargets",
                    Map.of("Rule", "bench", "Targets", List.of(Map.of("Id", "hook", "Arn", destination))));
            AtomicLong seq = new AtomicLong();
            // Warm-up: JIT, connection pools, the rule matcher.
            run(client, waiting, seq, 200, 1);
            report("sequential", run(client, waiting, seq, events, 1));
            report(publishers + " publishers", run(client, waiting, seq, events, publishers));
        } finally {
            receiver.stop(0);
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static long[] run(
            ApiClient client, Map<Long, CompletableFuture<Long>> waiting, AtomicLong seq, int events, int publishers)
            throws Exception {
        long[] latencies = new long[events];
        AtomicLong next = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(publishers)) {
            List<Future<?>> running = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                running.add(pool.submit(() -> {
                    for (int i = (int) next.getAndIncrement(); i < events; i = (int) next.getAndIncrement()) {
                        long id = seq.incrementAndGet();
                        CompletableFuture<Long> received = new CompletableFuture<>();
                        waiting.put(id, received);
                        long start = System.nanoTime();
                        client.call(
                                "AWSEvents.PutEvents",
                                Map.of(
                                        "Entries",
                                        List.of(Map.of(
                                                "Source",
                                                "bench.latency",
                                                "DetailType",
                                                "Latency Probe",
                                                "Detail",
                                                "{\"seq\":" + id + "}"))));
                        latencies[i] = received.get(30, TimeUnit.SECONDS) - start;
                        waiting.remove(id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        }
        return latencies;
    }

    private static void report(String label, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(
                "%-14s n=%d  median %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms%n",
                label,
                sorted.length,
                ms(sorted, 0.50),
                ms(sorted, 0.90),
                ms(sorted, 0.99),
                sorted[sorted.length - 1] / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
