package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failed deliveries seen and sent again from the shell, against a real server and a real webhook. */
class DeliveriesCommandTest {
    @TempDir
    Path dataDir;

    private TestServer server;
    private HttpServer webhook;
    private final AtomicInteger status = new AtomicInteger(404);
    private final List<String> delivered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        AdminProfileFiles.write(dataDir, server);
        webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/hook", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                int answer = status.get();
                if (answer == 200) {
                    delivered.add(body);
                }
                exchange.sendResponseHeaders(answer, -1);
            }
            exchange.close();
        });
        webhook.start();
    }

    @AfterEach
    void stop() {
        webhook.stop(0);
        server.close();
    }

    @Test
    void aDeliveryToADeadWebhookIsListedAndRedrivenOnceTheWebhookIsBack() {
        String url = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook";
        assertThat(cli("topics", "create", "patch-alerts").exit()).isZero();
        InProcessCli.Run subscribed =
                cli("topics", "subscribe", "patch-alerts", "--protocol", "slack", "--endpoint", url);
        assertThat(subscribed.exit()).as(subscribed.err()).isZero();
        InProcessCli.Run none = cli("deliveries");
        assertThat(none.exit()).isZero();
        assertThat(none.out()).isEqualTo("DELIVERY ID  KIND  DESTINATION  ATTEMPTS  FAILED AT  REASON");
        assertThat(none.err()).isEqualTo("No failed deliveries.");

        assertThat(cli("topics", "publish", "patch-alerts", "--message", "Hello")
                        .exit())
                .isZero();

        // 404 is not retried: the delivery goes to the dead letters at once.
        InProcessCli.Run listed = await().atMost(Duration.ofSeconds(20))
                .until(() -> cli("deliveries"), run -> run.out().lines().count() == 2);
        String row = listed.out().lines().toList().get(1);
        assertThat(row).contains(subscribed.out()).contains("404");
        Matcher id = Pattern.compile("^(\\d+)\\s").matcher(row);
        assertThat(id.find()).as(row).isTrue();
        InProcessCli.Run asJson = cli("deliveries", "--json");
        assertThat(asJson.out()).contains("\"DeliveryId\" : " + id.group(1)).contains("Hello");
        assertThat(delivered).isEmpty();

        status.set(200);
        InProcessCli.Run redriven = cli("deliveries", "redrive", id.group(1));
        assertThat(redriven.exit()).as(redriven.err()).isZero();
        assertThat(redriven.out()).isEqualTo("Sent again: " + id.group(1) + ".");
        await().atMost(Duration.ofSeconds(20)).until(() -> delivered.size() == 1);
        assertThat(delivered.getFirst()).contains("Hello");
        assertThat(cli("deliveries").out().lines()).hasSize(1);

        InProcessCli.Run again = cli("deliveries", "redrive", id.group(1));
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("Not dead letters (unknown, or redriven already): " + id.group(1) + ".");
    }

    @Test
    void redriveAllSendsEveryDeadLetterOfASource() {
        String url = "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook";
        cli("topics", "create", "first");
        cli("topics", "create", "second");
        cli("topics", "subscribe", "first", "--protocol", "slack", "--endpoint", url);
        cli("topics", "subscribe", "second", "--protocol", "slack", "--endpoint", url);
        cli("topics", "publish", "first", "--message", "one");
        cli("topics", "publish", "second", "--message", "two");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> cli("deliveries").out().lines().count() == 3);
        String first = "arn:aws:sns:us-east-1:123456789012:first";
        assertThat(cli("deliveries", "--source", first).out().lines()).hasSize(2);

        status.set(200);
        InProcessCli.Run redriven = cli("deliveries", "redrive", "--all", "--source", first);
        assertThat(redriven.exit()).as(redriven.err()).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> delivered.size() == 1);
        assertThat(delivered.getFirst()).contains("one");
        assertThat(cli("deliveries").out()).contains("second").doesNotContain(":first:");

        InProcessCli.Run neither = cli("deliveries", "redrive");
        assertThat(neither.exit()).isEqualTo(1);
        assertThat(neither.err()).isEqualTo("error: give either DELIVERY_IDs or --all");
    }

    private InProcessCli.Run cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        return InProcessCli.run(all);
    }
}
