package dev.patchtide.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.core.auth.SigV4;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.core.auth.SignableRequest;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile bodies: the size limit holds before the signature is checked or any JSON parsed, for chunked bodies
 * (which carry no length to check up front) as well as declared ones, and is answered with an AWS-shaped 413.
 */
class OversizeBodyTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(MutableClock.ofNow());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anUnsignedChunkedBodyOfTwoHundredMegabytesIsRefusedAfterTheLimitNotReadWhole() throws Exception {
        long total = 200L * 1024 * 1024;
        byte[] piece = new byte[64 * 1024];
        Arrays.fill(piece, (byte) 'a');
        byte[] chunk = RawHttp.chunk(piece);
        AtomicLong written = new AtomicLong();
        AtomicBoolean answered = new AtomicBoolean();
        Socket socket = new Socket("127.0.0.1", server.endpoint().getPort());
        Thread writer;
        int status;
        long writtenWhenAnswered;
        RawHttp.Response response;
        try {
            socket.setSoTimeout(120_000);
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.head(
                    server.endpoint().getPort(),
                    "AmazonSSM.DescribeActivations",
                    "Transfer-Encoding: chunked",
                    Map.of()));
            out.write(RawHttp.chunk("{\"NextToken\":\"".getBytes(StandardCharsets.UTF_8)));
            // Generated on the fly: the test never holds the 200 MB either.
            writer = Thread.ofPlatform().start(() -> {
                try {
                    while (written.get() < total && !answered.get()) {
                        out.write(chunk);
                        written.addAndGet(piece.length);
                    }
                } catch (IOException closedByTheServer) {
                    // expected once the server has answered and hung up
                }
            });
            InputStream in = socket.getInputStream();
            status = RawHttp.readStatus(in);
            writtenWhenAnswered = written.get();
            answered.set(true);
            response = RawHttp.readRest(status, in);
        } finally {
            socket.close(); // also stops a writer blocked on a full window
        }
        writer.join();

        assertThat(status).isEqualTo(413);
        // The server answered while most of the body was still unsent: it stopped reading at the limit.
        assertThat(writtenWhenAnswered).isLessThan(RequestBody.API_LIMIT + 16L * 1024 * 1024);
        assertAwsTooLarge(response);
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedBeforeAnyOfTheBodyIsSent() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.endpoint().getPort())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.head(
                    server.endpoint().getPort(),
                    "AmazonSSM.DescribeActivations",
                    "Content-Length: " + 50L * 1024 * 1024,
                    Map.of()));
            out.write('{');
            out.flush();
            InputStream in = socket.getInputStream();
            RawHttp.Response response = RawHttp.readRest(RawHttp.readStatus(in), in);

            assertThat(response.status()).isEqualTo(413);
            assertAwsTooLarge(response);
        }
    }

    @Test
    void aSignedBodyOverTheLimitIsRefusedToo() throws Exception {
        byte[] body = new byte[RequestBody.API_LIMIT + 1];
        Arrays.fill(body, (byte) ' ');
        body[0] = '{';
        body[body.length - 1] = '}';
        RawApi.Answer answer =
                new RawApi(server).call("AmazonSSM.DescribeActivations", new String(body, StandardCharsets.US_ASCII));

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.type()).isEqualTo(RequestBody.TOO_LARGE);
    }

    @Test
    void aChunkedBodyWithinTheLimitIsReadAndItsSignatureChecked() throws Exception {
        int port = server.endpoint().getPort();
        byte[] body = "{\"MaxResults\": 5}".getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", List.of("127.0.0.1:" + port));
        headers.put("Content-Type", List.of("application/x-amz-json-1.1"));
        headers.put("X-Amz-Target", List.of("AmazonSSM.DescribeActivations"));
        Map<String, String> signed = SigV4.sign(
                new SignableRequest("POST", "/", "", headers, body),
                new SigV4Credentials(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey()),
                TestServer.REGION,
                "ssm",
                Instant.now());
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.head(port, "AmazonSSM.DescribeActivations", "Transfer-Encoding: chunked", signed));
            out.write(RawHttp.chunk(Arrays.copyOfRange(body, 0, 7)));
            out.write(RawHttp.chunk(Arrays.copyOfRange(body, 7, body.length)));
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            RawHttp.Response response = RawHttp.readRest(RawHttp.readStatus(in), in);

            assertThat(response.status()).as(response.text()).isEqualTo(200);
            assertThat(ApiJson.documents().readTree(response.body()).has("ActivationList"))
                    .isTrue();
        }
    }

    @Test
    void refusalsAreCountedAsTheirAwsCodeNotAsInternalErrors() throws Exception {
        aDeclaredLengthOverTheLimitIsRefusedBeforeAnyOfTheBodyIsSent();
        HttpResponse<String> metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.endpoint() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(metrics.body())
                .contains("outcome=\"" + RequestBody.TOO_LARGE + "\"")
                .doesNotContain("outcome=\"InternalServerError\"");
    }

    private static void assertAwsTooLarge(RawHttp.Response response) throws IOException {
        assertThat(response.headers().get("x-amzn-ErrorType")).isEqualTo(RequestBody.TOO_LARGE);
        JsonNode error = ApiJson.documents().readTree(response.body());
        assertThat(error.path("__type").asText()).isEqualTo(RequestBody.TOO_LARGE);
        assertThat(error.path("message").asText())
                .contains("maximum allowed size")
                .doesNotContain("dev.patchtide", "java.", "Exception:", "\tat ");
    }
}
