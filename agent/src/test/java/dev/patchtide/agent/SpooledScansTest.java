package dev.patchtide.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scan reports through the spool against a loopback stub of the server that answers 503 while it is "away",
 * with the agent's clock moved by hand, and a file layer that fails like a full disk or a read-only folder.
 */
class SpooledScansTest {
    static final String INSTANCE = "mi-0123456789abcdef0";

    @TempDir
    Path state;

    final ObjectMapper json = AgentJson.mapper();
    final Clock clock = new Clock(Instant.parse("2026-12-01T00:00:00Z"));
    final FaultyDisk disk = new FaultyDisk();
    Stub server;
    PrintStream realErr;
    ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = new Stub(clock);
        // slf4j-simple writes to whatever System.err is at the time: the test reads what the agent logged
        realErr = System.err;
        System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setErr(realErr);
        System.err.print(logs.toString(StandardCharsets.UTF_8));
        server.close();
    }

    @Test
    void reportsWaitOnDiskAcrossARestartAndGoOldestFirstWhenTheServerIsBack() throws Exception {
        server.away = true;
        SpooledScans scans = scans(SpoolLimits.DEFAULTS);
        for (int i = 1; i <= 3; i++) {
            clock.advance(Duration.ofHours(1));
            int n = i;
            assertThatThrownBy(() -> scans.submit(report(n)))
                    .isInstanceOf(SpooledScans.Kept.class)
                    .hasMessageContaining("waits in");
        }
        assertThat(spoolFiles()).hasSize(3);

        // The agent restarts while the server is still away: the reports are read back from disk.
        SpooledScans restarted = scans(SpoolLimits.DEFAULTS);
        assertThat(restarted.waiting()).isEqualTo(3);
        server.away = false;

        assertThat(restarted.sendIfDue()).isTrue();

        assertThat(server.taken()).containsExactly(1, 2, 3);
        assertThat(spoolFiles()).isEmpty();
        assertThat(restarted.submit(report(4)).path("ComplianceStatus").asText())
                .isEqualTo("COMPLIANT");
        assertThat(server.taken()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void aServerAnswering503ForAnHourIsTriedWithCappedJitteredBackoffLoggedOnceAndRecoveredFrom() throws Exception {
        server.away = true;
        SpooledScans scans = scans(SpoolLimits.DEFAULTS);
        assertThatThrownBy(() -> scans.submit(report(1))).isInstanceOf(SpooledScans.Kept.class);

        Instant end = clock.instant().plus(Duration.ofHours(1));
        while (clock.instant().isBefore(end)) {
            clock.advance(Duration.ofSeconds(1));
            assertThat(scans.sendIfDue()).isFalse();
        }

        List<Instant> attempts = server.attempts();
        // once a second for an hour without backoff; a few dozen with it
        assertThat(attempts).hasSizeBetween(12, 40);
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < attempts.size(); i++) {
            gaps.add(Duration.between(attempts.get(i - 1), attempts.get(i)));
        }
        assertThat(gaps).allSatisfy(g -> assertThat(g).isLessThanOrEqualTo(Agent.MAX_SPOOL_BACKOFF.plusSeconds(1)));
        // the last ones are at the cap, less the jitter (at most half of it)
        assertThat(gaps.getLast()).isGreaterThanOrEqualTo(Agent.MAX_SPOOL_BACKOFF.dividedBy(2));
        assertThat(gaps.stream().distinct().count()).as("jittered").isGreaterThan(3);
        assertThat(count("cannot send scan reports")).isEqualTo(1);

        server.away = false;
        clock.advance(Agent.MAX_SPOOL_BACKOFF);
        assertThat(scans.sendIfDue()).isTrue();
        assertThat(server.taken()).containsExactly(1);
        assertThat(count("scan reports reach the server again")).isEqualTo(1);
    }

    @Test
    void aHeartbeatThatGetsThroughEndsTheBackoff() throws Exception {
        server.away = true;
        SpooledScans scans = scans(SpoolLimits.DEFAULTS);
        assertThatThrownBy(() -> scans.submit(report(1))).isInstanceOf(SpooledScans.Kept.class);
        assertThat(scans.untilNextAttempt()).isPositive();
        server.away = false;
        assertThat(scans.sendIfDue()).as("the backoff still runs").isFalse();

        scans.serverBack();

        assertThat(scans.untilNextAttempt()).isZero();
        assertThat(scans.sendIfDue()).isTrue();
        assertThat(server.taken()).containsExactly(1);
    }

    @Test
    void theCapDropsTheOldestScansAndCountsThemWhenTheServerIsBack() throws Exception {
        server.away = true;
        SpooledScans scans = scans(new SpoolLimits(1024 * 1024, 3));
        for (int i = 1; i <= 5; i++) {
            int n = i;
            assertThatThrownBy(() -> scans.submit(report(n))).isInstanceOf(SpooledScans.Kept.class);
        }
        assertThat(spoolFiles()).hasSize(3);
        server.away = false;
        scans.serverBack();

        assertThat(scans.sendIfDue()).isTrue();

        assertThat(server.taken()).containsExactly(3, 4, 5);
        assertThat(count("2 older report(s) were dropped")).isEqualTo(1);
    }

    @Test
    void theByteCapDropsTheOldestToo() throws Exception {
        server.away = true;
        int size = json.writeValueAsBytes(report(1)).length;
        SpooledScans scans = scans(new SpoolLimits(Math.max(1024, size * 2L + size / 2), 1000));
        for (int i = 1; i <= 4; i++) {
            int n = i;
            assertThatThrownBy(() -> scans.submit(report(n))).isInstanceOf(SpooledScans.Kept.class);
        }
        server.away = false;
        scans.serverBack();
        scans.sendIfDue();
        List<Integer> taken = server.taken();
        assertThat(taken).endsWith(4).isSortedAccordingTo(Integer::compare);
        assertThat(taken.size()).isLessThan(4);
    }

    @Test
    void aFullDiskAndThenAReadOnlyFolderKeepReportsInMemoryInOrderAndLogEachChangeOnce() throws Exception {
        server.away = true;
        SpooledScans scans = scans(SpoolLimits.DEFAULTS);
        assertThatThrownBy(() -> scans.submit(report(1))).isInstanceOf(SpooledScans.Kept.class);
        disk.failure.set(new IOException("No space left on device"));
        for (int i = 2; i <= 3; i++) {
            int n = i;
            assertThatThrownBy(() -> scans.submit(report(n))).isInstanceOf(SpooledScans.Kept.class);
        }
        disk.failure.set(null);
        // the disk has room again, but 2 and 3 wait in memory: 4 goes after them, not before
        assertThatThrownBy(() -> scans.submit(report(4))).isInstanceOf(SpooledScans.Kept.class);
        assertThat(spoolFiles()).hasSize(1);
        assertThat(count("cannot keep scan reports")).isEqualTo(1);

        // The folder turns read-only as the server comes back: sent reports cannot be removed from it.
        disk.failure.set(new FileSystemException(state.toString(), null, "Read-only file system"));
        server.away = false;
        scans.serverBack();
        assertThat(scans.sendIfDue()).isTrue();
        assertThat(scans.submit(report(5)).path("ComplianceStatus").asText()).isEqualTo("COMPLIANT");
        scans.sendIfDue();

        assertThat(server.taken()).as("each once, in order").containsExactly(1, 2, 3, 4, 5);
        assertThat(count("cannot keep scan reports")).isEqualTo(1);
        assertThat(count("cannot remove a sent scan report")).isEqualTo(0); // the state was logged as failing already

        disk.failure.set(null);
        assertThat(scans.submit(report(6)).path("ComplianceStatus").asText()).isEqualTo("COMPLIANT");
        assertThat(count("scan reports are kept in")).isEqualTo(1);
    }

    @Test
    void aReportTheServerRefusesForGoodIsDroppedAndDoesNotHoldBackTheOthers() throws Exception {
        server.away = true;
        SpooledScans scans = scans(SpoolLimits.DEFAULTS);
        for (int i = 1; i <= 3; i++) {
            int n = i;
            assertThatThrownBy(() -> scans.submit(report(n))).isInstanceOf(SpooledScans.Kept.class);
        }
        server.away = false;
        server.refuse = 2;
        scans.serverBack();

        assertThat(scans.sendIfDue()).isTrue();

        assertThat(server.taken()).containsExactly(1, 3);
        assertThat(spoolFiles()).isEmpty();
        assertThat(count("the server refused the scan report")).isEqualTo(1);
    }

    private SpooledScans scans(SpoolLimits limits) {
        ApiClient client = new ApiClient(server.uri(), "us-east-1", Optional.empty(), clock);
        ScanReporter reporter = new ScanReporter(INSTANCE, new AcceptedScanFile(state));
        return new SpooledScans(
                new ScanSpool(state, limits, disk),
                reporter,
                request -> client.call("Patchtide.PutPatchScanReport", request),
                clock,
                Agent.MAX_SPOOL_BACKOFF);
    }

    /** A report numbered {@code n}: its scan's capture time says which it is. */
    private Map<String, Object> report(int n) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("InstanceId", INSTANCE);
        report.put("OperationStartTime", n);
        report.put("OperationEndTime", n);
        report.put("Patches", List.of(Map.of("Name", "openssl", "Padding", "x".repeat(200))));
        return report;
    }

    private List<Path> spoolFiles() throws IOException {
        try (Stream<Path> files = Files.list(state.resolve(ScanSpool.DIR))) {
            return files.toList();
        }
    }

    private int count(String text) {
        String all = logs.toString(StandardCharsets.UTF_8);
        int n = 0;
        for (int i = all.indexOf(text); i >= 0; i = all.indexOf(text, i + 1)) {
            n++;
        }
        return n;
    }

    /** The agent's clock, moved by the test. */
    static final class Clock implements InstantSource {
        private final AtomicReference<Instant> now;

        Clock(Instant start) {
            now = new AtomicReference<>(start);
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }
    }

    /** The real file layer, failing with {@link #failure} while it is set. */
    static final class FaultyDisk implements ScanSpool.Disk {
        final AtomicReference<IOException> failure = new AtomicReference<>();

        @Override
        public void write(Path file, byte[] content) throws IOException {
            fail();
            ScanSpool.Disk.REAL.write(file, content);
        }

        @Override
        public void delete(Path file) throws IOException {
            fail();
            ScanSpool.Disk.REAL.delete(file);
        }

        private void fail() throws IOException {
            IOException e = failure.get();
            if (e != null) {
                throw e;
            }
        }
    }

    /**
     * PutPatchScanReport on loopback: 503 while {@link #away}; a 400 for the report numbered {@link #refuse};
     * otherwise takes the report. Records when (on the agent's clock) each attempt came.
     */
    static final class Stub implements AutoCloseable {
        final HttpServer http;
        final InstantSource clock;
        final List<Instant> attempts = new CopyOnWriteArrayList<>();
        final List<Integer> taken = new CopyOnWriteArrayList<>();
        volatile boolean away;
        volatile int refuse = -1;
        private final ObjectMapper json = AgentJson.mapper();

        Stub(InstantSource clock) throws IOException {
            this.clock = clock;
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/", this::handle);
            http.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
        }

        List<Instant> attempts() {
            return List.copyOf(attempts);
        }

        List<Integer> taken() {
            return List.copyOf(taken);
        }

        private void handle(HttpExchange exchange) throws IOException {
            JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
            attempts.add(clock.instant());
            int n = body.path("OperationEndTime").asInt();
            if (away) {
                answer(exchange, 503, "{\"__type\":\"ServiceUnavailable\",\"message\":\"busy\"}");
            } else if (n == refuse) {
                answer(exchange, 400, "{\"__type\":\"ValidationException\",\"message\":\"operationEndTime\"}");
            } else {
                taken.add(n);
                answer(exchange, 200, "{\"ComplianceStatus\":\"COMPLIANT\",\"MissingCount\":0}");
            }
        }

        private static void answer(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}
