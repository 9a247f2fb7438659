package dev.patchtide.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.core.auth.SigV4;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.core.auth.SignableRequest;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.SsmException;

/** The wire protocol: AWS JSON errors for unknown actions, bad bodies, bad signatures and forbidden calls. */
// The SDK's filter builders take Consumer<Builder>... varargs, which javac flags as unchecked.
@SuppressWarnings("unchecked")
class ApiProtocolTest {
    static TestServer server;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        server = TestServer.start(MutableClock.ofNow());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void unknownActionIsUnknownOperation() throws Exception {
        Answer answer = signed("AmazonSSM.LaunchRockets", "{}", Instant.now(), TestServer.REGION);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.type()).isEqualTo("UnknownOperationException");
        assertThat(answer.body().path("message").asText()).contains("AmazonSSM.LaunchRockets");
    }

    @Test
    void malformedJsonIsASerializationError() throws Exception {
        Answer answer = signed("AmazonSSM.DescribeActivations", "{\"MaxResults\": ", Instant.now(), TestServer.REGION);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.type()).isEqualTo("SerializationException");
    }

    @Test
    void wrongTypesAndUnknownMembersAreSerializationErrorsNamingTheMember() throws Exception {
        Answer wrongType =
                signed("AmazonSSM.DescribeActivations", "{\"MaxResults\": \"ten\"}", Instant.now(), TestServer.REGION);
        assertThat(wrongType.type()).isEqualTo("SerializationException");

        Answer unknown = signed(
                "AmazonSSM.CreateActivation",
                "{\"IamRole\": \"r\", \"Colour\": \"red\"}",
                Instant.now(),
                TestServer.REGION);
        assertThat(unknown.type()).isEqualTo("SerializationException");
        assertThat(unknown.body().path("message").asText()).contains("Colour");
        assertThat(server.ssm().describeActivations(b -> {}).activationList()).isEmpty();
    }

    @Test
    void missingSignatureIsMissingAuthenticationToken() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(server.endpoint())
                        .header("Content-Type", "application/x-amz-json-1.1")
                        .header("X-Amz-Target", "AmazonSSM.DescribeActivations")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json.readTree(response.body()).path("__type").asText())
                .isEqualTo("MissingAuthenticationTokenException");
    }

    @Test
    void wrongSecretIsAnInvalidSignatureAndUnknownKeyIsUnrecognized() {
        try (SsmClient forged = server.ssm(server.adminKey().accessKeyId(), "not-the-secret-at-all-0000000000000000")) {
            assertThatThrownBy(() -> forged.describeActivations(b -> {}))
                    .isInstanceOfSatisfying(
                            SsmException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException"));
        }
        try (SsmClient stranger = server.ssm("AKIAAAAAAAAAAAAAAAAA", "secret")) {
            assertThatThrownBy(() -> stranger.describeActivations(b -> {}))
                    .isInstanceOfSatisfying(
                            SsmException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException"));
        }
    }

    @Test
    void staleSignatureAndForeignRegionAreRefused() throws Exception {
        Answer stale = signed(
                "AmazonSSM.DescribeActivations", "{}", Instant.now().minus(Duration.ofMinutes(20)), TestServer.REGION);
        assertThat(stale.type()).isEqualTo("InvalidSignatureException");
        assertThat(stale.body().path("message").asText()).contains("expired");

        Answer foreign = signed("AmazonSSM.DescribeActivations", "{}", Instant.now(), "eu-west-1");
        assertThat(foreign.type()).isEqualTo("InvalidSignatureException");
        assertThat(foreign.body().path("message").asText()).contains("eu-west-1");
    }

    @Test
    void instanceKeyActsOnlyOnItsOwnInstance() throws Exception {
        CreateActivationResponse activation =
                server.ssm().createActivation(b -> b.iamRole("r").registrationLimit(2));
        FakeAgent first = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        FakeAgent second =
                FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        second.report("second-host", "10.0.0.2");

        assertThatThrownBy(() -> first.report(second.instanceId(), "impostor", "6.6.6.6"))
                .isInstanceOfSatisfying(ApiCallException.class, e -> {
                    assertThat(e.code()).isEqualTo("AccessDeniedException");
                    assertThat(e.getMessage()).contains(first.instanceId()).contains(second.instanceId());
                });
        assertThat(server.ssm()
                        .describeInstanceInformation(
                                b -> b.filters(f -> f.key("InstanceIds").values(second.instanceId())))
                        .instanceInformationList()
                        .getFirst()
                        .computerName())
                .isEqualTo("second-host");

        try (SsmClient asInstance = server.ssm(first.accessKeyId(), first.secretAccessKey())) {
            assertThatThrownBy(() -> asInstance.describeInstanceInformation(b -> {}))
                    .isInstanceOfSatisfying(
                            SsmException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException"));
            assertThatThrownBy(() -> asInstance.deregisterManagedInstance(b -> b.instanceId(second.instanceId())))
                    .isInstanceOfSatisfying(
                            SsmException.class,
                            e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException"));
        }
        assertThat(server.ssm().describeInstanceInformation(b -> {}).instanceInformationList())
                .hasSize(2);
    }

    @Test
    void answersCarryTheirExactLengthAndGzipIsStillOfferedToWhoAsks() throws Exception {
        for (int i = 0; i < 12; i++) {
            server.ssm().createActivation(b -> b.iamRole("r").description("activation for the length test ".repeat(6)));
        }
        HttpResponse<byte[]> plain =
                exchange("AmazonSSM.DescribeActivations", "{}", Instant.now(), TestServer.REGION, Map.of());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body().length).isGreaterThan(1500); // above Javalin's threshold for compressing
        assertThat(plain.headers().firstValueAsLong("Content-Length")).hasValue(plain.body().length);
        assertThat(plain.headers().firstValue("Transfer-Encoding")).isEmpty();
        assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(plain.headers().firstValue("Content-Type")).hasValue("application/x-amz-json-1.1");
        assertThat(plain.headers().firstValue("x-amzn-RequestId")).isPresent();
        assertThat(json.readTree(plain.body()).path("ActivationList").size()).isPositive();

        HttpResponse<byte[]> error =
                exchange("AmazonSSM.LaunchRockets", "{}", Instant.now(), TestServer.REGION, Map.of());
        assertThat(error.statusCode()).isEqualTo(400);
        assertThat(error.headers().firstValueAsLong("Content-Length")).hasValue(error.body().length);
        assertThat(error.headers().firstValue("x-amzn-ErrorType")).hasValue("UnknownOperationException");
        assertThat(json.readTree(error.body()).path("__type").asText()).isEqualTo("UnknownOperationException");

        HttpResponse<byte[]> zipped = exchange(
                "AmazonSSM.DescribeActivations",
                "{}",
                Instant.now(),
                TestServer.REGION,
                Map.of("Accept-Encoding", "gzip"));
        assertThat(zipped.statusCode()).isEqualTo(200);
        assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (var unzipped = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body()))) {
            assertThat(json.readTree(unzipped.readAllBytes())
                            .path("ActivationList")
                            .size())
                    .isEqualTo(
                            json.readTree(plain.body()).path("ActivationList").size());
        }
    }

    @Test
    void healthAndMetricsAreServed() throws Exception {
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(server.endpoint().resolve("/healthz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json.readTree(health.body()).path("status").asText()).isEqualTo("ok");

        server.ssm().describeActivations(b -> {});
        HttpResponse<String> metrics = http.send(
                HttpRequest.newBuilder(server.endpoint().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains(
                        "patchtide_api_requests_seconds_count{action=\"AmazonSSM.DescribeActivations\",outcome=\"ok\"}")
                .contains("patchtide_fleet_instances{ping_status=\"Online\"}");
    }

    record Answer(int status, JsonNode body) {
        String type() {
            return body.path("__type").asText();
        }
    }

    /** A request signed by our own signer at a chosen time and region, for cases the SDK will not produce. */
    private static Answer signed(String target, String body, Instant signedAt, String region) throws Exception {
        HttpResponse<byte[]> response = exchange(target, body, signedAt, region, Map.of());
        return new Answer(response.statusCode(), json.readTree(response.body()));
    }

    private static HttpResponse<byte[]> exchange(
            String target, String body, Instant signedAt, String region, Map<String, String> unsigned)
            throws Exception {
        URI endpoint = server.endpoint();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Host", List.of(endpoint.getHost() + ":" + endpoint.getPort()));
        headers.put("Content-Type", List.of("application/x-amz-json-1.1"));
        headers.put("X-Amz-Target", List.of(target));
        Map<String, String> toSend = SigV4.sign(
                new SignableRequest("POST", "/", "", headers, bytes),
                new SigV4Credentials(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey()),
                region,
                "ssm",
                signedAt);
        HttpRequest.Builder request =
                HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        toSend.forEach((name, value) -> {
            if (!name.equalsIgnoreCase("host")) {
                request.header(name, value);
            }
        });
        unsigned.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
