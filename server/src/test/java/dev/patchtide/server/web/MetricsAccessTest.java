package dev.patchtide.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code /metrics} behind a bearer token or for this host only, when the operator asks for it. */
class MetricsAccessTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void withATokenOnlyItsHoldersReadTheMetrics() throws Exception {
        MetricsAccess access = new MetricsAccess(false, Optional.of("s3cret-token"));
        try (TestServer server = TestServer.start(MutableClock.ofNow(), config -> config.withMetricsAccess(access))) {
            HttpResponse<String> none = scrape(server, null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(none.body()).doesNotContain("jvm_");
            assertThat(scrape(server, "Bearer wrong-token").statusCode()).isEqualTo(401);
            assertThat(scrape(server, "s3cret-token").statusCode()).isEqualTo(401);

            HttpResponse<String> allowed = scrape(server, "Bearer s3cret-token");
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.body()).contains("jvm_memory_used_bytes");
        }
    }

    @Test
    void loopbackOnlyStillServesThisHost() throws Exception {
        MetricsAccess access = new MetricsAccess(true, Optional.empty());
        try (TestServer server = TestServer.start(MutableClock.ofNow(), config -> config.withMetricsAccess(access))) {
            assertThat(scrape(server, null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void loopbackOnlyRefusesOtherAddresses() {
        // Judged on the address the connection came from; other hosts cannot be reached from a test here.
        MetricsAccess local = new MetricsAccess(true, Optional.empty());
        assertThat(local.judge("127.0.0.1", null)).isEqualTo(MetricsAccess.Verdict.ALLOWED);
        assertThat(local.judge("127.3.4.5", null)).isEqualTo(MetricsAccess.Verdict.ALLOWED);
        assertThat(local.judge("0:0:0:0:0:0:0:1", null)).isEqualTo(MetricsAccess.Verdict.ALLOWED);
        assertThat(local.judge("203.0.113.7", null)).isEqualTo(MetricsAccess.Verdict.NOT_LOCAL);
        assertThat(local.judge("2001:db8::1", null)).isEqualTo(MetricsAccess.Verdict.NOT_LOCAL);
        assertThat(local.judge("", null)).isEqualTo(MetricsAccess.Verdict.NOT_LOCAL);

        MetricsAccess both = new MetricsAccess(true, Optional.of("t"));
        assertThat(both.judge("203.0.113.7", "Bearer t")).isEqualTo(MetricsAccess.Verdict.NOT_LOCAL);
        assertThat(both.judge("127.0.0.1", null)).isEqualTo(MetricsAccess.Verdict.NO_TOKEN);
        assertThat(both.judge("127.0.0.1", "Bearer t")).isEqualTo(MetricsAccess.Verdict.ALLOWED);
    }

    @Test
    void openIsTheDefaultAndABlankTokenIsAMistake() {
        assertThat(ServerConfig.defaults().metricsAccess()).isEqualTo(MetricsAccess.open());
        assertThatThrownBy(() -> new MetricsAccess(false, Optional.of(" "))).hasMessageContaining("metrics-token");
    }

    private static HttpResponse<String> scrape(TestServer server, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.endpoint() + "/metrics"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
