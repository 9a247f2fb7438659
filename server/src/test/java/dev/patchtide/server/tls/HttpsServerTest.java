package dev.patchtide.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.agent.Agent;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.Registrar;
import dev.patchtide.agent.Registration;
import dev.patchtide.agent.RegistrationFile;
import dev.patchtide.agent.tls.ServerCa;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;

/** A server on HTTPS from its private CA, reached as the SDK, a browser and agents reach it. */
class HttpsServerTest {
    @TempDir
    static Path dir;

    private static TlsMaterial tls;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        tls = new PrivateCa(dir.resolve("tls"), InstantSource.system())
                .loadOrCreate(HostNames.ofThisHost("127.0.0.1", Optional.empty()));
        server = TestServer.start(InstantSource.system(), config -> config.withTls(tls));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theHttpsSocketListensWithTheLargeAcceptQueueToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/ss")));
        int somaxconn = ListenersTest.somaxconn();
        assertThat(ListenersTest.backlog(server.endpoint().getPort()))
                .isEqualTo(Math.min(Listeners.ACCEPT_QUEUE, somaxconn));
    }

    @Test
    void theSdkTrustingTheCaIsAnsweredOverHttps() throws Exception {
        assertThat(server.endpoint().getScheme()).isEqualTo("https");
        TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("ca", tls.ca());
        trust.init(anchors);
        try (SsmClient ssm = SsmClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .httpClient(ApacheHttpClient.builder()
                        .tlsTrustManagersProvider(trust::getTrustManagers)
                        .build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build()) {
            assertThat(ssm.describeActivations(b -> {}).sdkHttpResponse().isSuccessful())
                    .isTrue();
        }
        // The same SDK without the CA refuses the server: the default trust does not know it.
        try (SsmClient untrusting = server.ssm()) {
            assertThatThrownBy(() -> untrusting.describeActivations(b -> {}))
                    .hasStackTraceContaining("PKIX path building failed");
        }
    }

    @Test
    void theCaCertificateIsPublicAndTheDashboardCookieIsSecure() throws Exception {
        var http = ServerCa.pinnedTo(tls.ca());
        HttpResponse<String> ca = http.send(
                HttpRequest.newBuilder(server.endpoint().resolve("/tls/ca.pem")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ca.statusCode()).isEqualTo(200);
        assertThat(ca.body()).isEqualTo(tls.caPem()).startsWith("-----BEGIN CERTIFICATE-----");
        HttpResponse<String> signIn = http.send(
                HttpRequest.newBuilder(server.endpoint().resolve("/dashboard/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"AccessKeyId\":\""
                                + server.adminKey().accessKeyId() + "\",\"SecretAccessKey\":\""
                                + server.adminKey().secretAccessKey() + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
        assertThat(signIn.headers().firstValue("Set-Cookie").orElseThrow())
                .contains("HttpOnly")
                .contains("; Secure");
    }

    @Test
    void anAgentWithTheWrongFingerprintRefusesAndWithTheRightOneRegistersReportsAndKeepsThePin() throws Exception {
        String id;
        String code;
        ApiClient admin = new ApiClient(
                server.endpoint(),
                TestServer.REGION,
                Optional.of(new SigV4Credentials(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())),
                InstantSource.system(),
                ServerCa.pinnedTo(tls.ca()));
        var activation = admin.call("AmazonSSM.CreateActivation", Map.of("IamRole", "agents", "RegistrationLimit", 1));
        id = activation.path("ActivationId").asText();
        code = activation.path("ActivationCode").asText();

        RegistrationFile wrongFile = new RegistrationFile(dir.resolve("wrong-agent"));
        String wrong = "sha256:" + "ab".repeat(32);
        assertThatThrownBy(() -> new Registrar(InstantSource.system())
                        .register(server.endpoint(), TestServer.REGION, id, code, Optional.of(wrong), wrongFile))
                .hasMessageStartingWith("the server's CA fingerprint did not match: expected " + wrong + ", presented "
                        + tls.caFingerprint());
        assertThat(wrongFile.stateDir().resolve(RegistrationFile.FILE_NAME)).doesNotExist();
        assertThatThrownBy(() -> new Registrar(InstantSource.system())
                        .register(server.endpoint(), TestServer.REGION, id, code, Optional.empty(), wrongFile))
                .hasMessageStartingWith("ca-fingerprint is required for an https server");

        RegistrationFile file = new RegistrationFile(dir.resolve("agent"));
        Registration registration = new Registrar(InstantSource.system())
                .register(
                        server.endpoint(),
                        TestServer.REGION,
                        id,
                        code,
                        Optional.of(tls.caFingerprint()
                                .toUpperCase(java.util.Locale.ROOT)
                                .replace("SHA256:", "sha256:")),
                        file);
        assertThat(ServerCa.load(file.stateDir())).isEqualTo(tls.ca());
        try (Agent agent = Agent.forThisHost(
                registration, file.stateDir(), Duration.ofMinutes(5), Duration.ZERO, InstantSource.system())) {
            agent.reportOnce();
        }
        var listed = admin.call("AmazonSSM.DescribeInstanceInformation", Map.of());
        List<String> ids = listed.path("InstanceInformationList").findValuesAsText("InstanceId");
        assertThat(ids).contains(registration.instanceId());

        // A pinned agent meeting a server with another CA refuses it, saying which fingerprints differ.
        TlsMaterial other = new PrivateCa(dir.resolve("other-tls"), InstantSource.system())
                .loadOrCreate(new TreeSet<>(List.of("localhost", "127.0.0.1")));
        Path misPinned = dir.resolve("mis-pinned");
        Files.createDirectories(misPinned);
        ServerCa.save(misPinned, other.ca());
        try (Agent agent = Agent.forThisHost(
                registration, misPinned, Duration.ofMinutes(5), Duration.ZERO, InstantSource.system())) {
            assertThatThrownBy(agent::reportOnce)
                    .hasStackTraceContaining("fingerprint did not match the pinned one: expected "
                            + other.caFingerprint() + ", presented " + tls.caFingerprint());
        }
    }
}
