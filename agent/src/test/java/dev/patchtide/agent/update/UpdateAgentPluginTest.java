package dev.patchtide.agent.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.sun.net.httpserver.HttpServer;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.commands.StepContext;
import dev.patchtide.agent.commands.StepResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks patchtide:updateAgent makes before it installs anything, against a server of the test's (a JDK
 * HTTP server) and a dpkg database in a throwaway root that lists the agent's package at 1.0.0.
 */
class UpdateAgentPluginTest {
    @TempDir
    Path root;

    @TempDir
    Path state;

    private HttpServer server;
    private final AtomicInteger downloads = new AtomicInteger();
    private volatile String describe = "{}";
    private volatile byte[] served = new byte[0];
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = describe.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/agent-packages/", exchange -> {
            downloads.incrementAndGet();
            exchange.sendResponseHeaders(200, served.length);
            exchange.getResponseBody().write(served);
            exchange.close();
        });
        server.start();
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.writeString(
                root.resolve("var/lib/dpkg/status"),
                """
                Package: patchtide-agent
                Status: install ok installed
                Priority: optional
                Section: admin
                Maintainer: test
                Architecture: amd64
                Version: 1.0.0
                Description: the agent

                """);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aDownloadThatDoesNotMatchTheStatedDigestIsNotInstalled() throws Exception {
        assumeThat(dpkgQuery()).as("dpkg-query on PATH").isTrue();
        served = "not the package the server described".getBytes(StandardCharsets.UTF_8);
        describe = shipped("1.1.0", served.length, sha256("the real package"));

        StepResult result = plugin(deb()).run(context(Map.of()));

        assertThat(result.status()).isEqualTo("Failed");
        assertThat(downloads.get()).isEqualTo(1);
        assertThat(err()).contains("does not match what the server states").contains("nothing was installed");
        assertThat(out()).contains("upgrading patchtide-agent from 1.0.0 to 1.1.0");
        assertThat(state.resolve("agent-update/patchtide-agent_1.1.0_amd64.deb"))
                .doesNotExist();
        assertThat(state.resolve("agent-update/update.json")).doesNotExist();
    }

    @Test
    void aDownloadLongerThanStatedIsCutOffAndRefused() throws Exception {
        assumeThat(dpkgQuery()).as("dpkg-query on PATH").isTrue();
        served = new byte[4096];
        describe = shipped("1.1.0", 100, sha256(""));

        StepResult result = plugin(deb()).run(context(Map.of()));

        assertThat(result.status()).isEqualTo("Failed");
        assertThat(err()).contains("is larger than the 100 bytes expected");
    }

    @Test
    void aVersionTheServerDoesNotShipIsNamedWithTheOnesItDoes() throws Exception {
        assumeThat(dpkgQuery()).as("dpkg-query on PATH").isTrue();
        describe = shipped("1.1.0", 10, sha256("x"));

        StepResult result = plugin(deb()).run(context(Map.of("TargetVersion", "2.0.0")));

        assertThat(result.status()).isEqualTo("Failed");
        assertThat(err())
                .contains("version 2.0.0 is not among the agent packages the server ships for deb/amd64: 1.1.0");
        assertThat(downloads.get()).isZero();
    }

    @Test
    void anAgentThatDoesNotRunFromItsPackageSaysSoAndTouchesNothing() throws Exception {
        StepResult result = plugin(Optional.empty()).run(context(Map.of()));

        assertThat(result.status()).isEqualTo("Failed");
        assertThat(err()).contains("this agent does not run from its package");
        assertThat(downloads.get()).isZero();
    }

    @Test
    void theInstallIsFoundFromTheJarsPlaceUnderItsRoot() throws Exception {
        Path jar = root.resolve("usr/lib/patchtide-agent/patchtide-agent.jar");
        assertThat(AgentInstall.detect(jar)).isEmpty(); // the database does not list the jar
        Files.writeString(
                root.resolve("var/lib/dpkg/info/patchtide-agent.list"),
                "/usr\n/usr/lib/patchtide-agent\n/usr/lib/patchtide-agent/patchtide-agent.jar\n");
        assertThat(AgentInstall.detect(jar)).contains(new AgentInstall(root, AgentInstall.Format.DEB));
        assertThat(AgentInstall.detect(root.resolve("opt/patchtide-agent.jar"))).isEmpty();
    }

    private Optional<AgentInstall> deb() {
        return Optional.of(new AgentInstall(root, AgentInstall.Format.DEB));
    }

    private UpdateAgentPlugin plugin(Optional<AgentInstall> install) {
        return new UpdateAgentPlugin(state, () -> install, Map.of());
    }

    private StepContext context(Map<String, String> inputs) {
        ApiClient api = new ApiClient(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                "us-east-1",
                Optional.empty(),
                InstantSource.system());
        return new StepContext(
                "c-1",
                "mi-0123456789abcdef0",
                "updatePatchtideAgent",
                api.json().valueToTree(inputs),
                Instant.now().plusSeconds(600),
                stdout,
                stderr,
                () -> false,
                plan -> StepResult.success(),
                api,
                root,
                operation -> {
                    throw new IOException("no scans here");
                });
    }

    private static String shipped(String version, long size, String sha256) {
        return """
                {"LatestVersion": "%s", "Packages": [{"FileName": "patchtide-agent_%s_amd64.deb", "Version": "%s",
                 "Format": "deb", "Architecture": "amd64", "Size": %d, "Sha256": "%s"}]}"""
                .formatted(version, version, version, size, sha256);
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private String out() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    private static boolean dpkgQuery() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "dpkg-query"))) {
                return true;
            }
        }
        return false;
    }
}
