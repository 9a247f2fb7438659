package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private TestServer server;
    private HttpServer receiver;
    private final List<String> slackBodies = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        Files.writeString(
                dataDir.resolve("aws-config"),
                "[profile patchtide]\nregion = us-east-1\nendpoint_url = " + server.endpoint() + "\n");
        Files.writeString(
                dataDir.resolve("aws-credentials"),
                "[patchtide]\naws_access_key_id = " + server.adminKey().accessKeyId() + "\naws_secret_access_key = "
                        + server.adminKey().secretAccessKey() + "\n");
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/slack", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                slackBodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
        server.close();
    }

    @Test
    void createSubscribeWithAFilterPolicyAndPublishFromTheShell() throws Exception {
        String webhook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/slack";
        InProcessCli.Run created = cli("topics", "create", "patch-alerts", "--display-name", "Patch alerts");
        assertThat(created.exit()).isZero();
        assertThat(created.out()).isEqualTo("arn:aws:sns:us-east-1:123456789012:patch-alerts");

        InProcessCli.Run subscribed = cli(
                "topics",
                "subscribe",
                "patch-alerts",
                "--protocol",
                "slack",
                "--endpoint",
                webhook,
                "--filter-policy",
                "{\"team\": [\"ops\"]}");
        assertThat(subscribed.exit()).isZero();
        assertThat(subscribed.out()).startsWith("arn:aws:sns:us-east-1:123456789012:patch-alerts:");

        assertThat(cli("topics", "publish", "patch-alerts", "--message", "for dev", "--attribute", "team=dev")
                        .exit())
                .isZero();
        InProcessCli.Run published = cli(
                "topics",
                "publish",
                "patch-alerts",
                "--subject",
                "Test message",
                "--message",
                "Hello",
                "--attribute",
                "team=ops");
        assertThat(published.out()).matches("[0-9a-f-]{36}");
        await().atMost(Duration.ofSeconds(10)).until(() -> !slackBodies.isEmpty());
        JsonNode body = JSON.readTree(slackBodies.getFirst());
        assertThat(body.path("text").asText()).isEqualTo("Test message");
        assertThat(body.path("blocks").get(1).path("text").path("text").asText())
                .isEqualTo("Hello");

        InProcessCli.Run listed = cli("topics", "subscriptions", "patch-alerts");
        assertThat(listed.out()).contains(subscribed.out()).contains("slack").contains(webhook);
        assertThat(cli("topics", "list").out())
                .contains("patch-alerts  arn:aws:sns:us-east-1:123456789012:patch-alerts  1");
        assertThat(slackBodies).hasSize(1);

        InProcessCli.Run unknown = cli("topics", "publish", "no-such-topic", "--message", "x");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("error: no topic named no-such-topic; see 'patchtide topics list'");
        InProcessCli.Run badPolicy = cli(
                "topics",
                "subscribe",
                "patch-alerts",
                "--protocol",
                "slack",
                "--endpoint",
                webhook + "2",
                "--filter-policy",
                "{\"team\": \"ops\"}");
        assertThat(badPolicy.exit()).isEqualTo(1);
        assertThat(badPolicy.err()).startsWith("error: InvalidParameter: Invalid parameter: FilterPolicy:");
    }

    @Test
    void badSmtpSettingsAreRefusedAtStartNamingTheSetting() {
        InProcessCli.Run run = InProcessCli.run(
                "server",
                "--data-dir",
                dataDir.toString(),
                "--port",
                "0",
                "--smtp-host",
                "mail.example.net",
                "--smtp-port",
                "70000",
                "--smtp-from",
                "patchtide@example.net");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: smtp-port must be between 1 and 65535, got 70000");
        InProcessCli.Run noFrom = InProcessCli.run(
                "server", "--data-dir", dataDir.toString(), "--port", "0", "--smtp-host", "mail.example.net");
        assertThat(noFrom.err()).isEqualTo("error: smtp-from must be set when smtp-host is");
        InProcessCli.Run badUrl =
                InProcessCli.run("server", "--data-dir", dataDir.toString(), "--port", "0", "--public-url", "ftp://x");
        assertThat(badUrl.err()).isEqualTo("error: public-url must be an http(s) URL without query, got ftp://x");
    }

    private InProcessCli.Run cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        return InProcessCli.run(all);
    }
}
