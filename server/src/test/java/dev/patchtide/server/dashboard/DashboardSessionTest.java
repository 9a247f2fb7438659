package dev.patchtide.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.compliance.ComplianceFleet;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard's sign-in over plain HTTP: who gets a session, how long it lasts, what it unlocks. */
class DashboardSessionTest {
    static MutableClock clock;
    static TestServer server;
    static ComplianceFleet fleet;
    static final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        clock = MutableClock.ofNow();
        server = TestServer.start(clock);
        fleet = ComplianceFleet.create(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void anAdminKeyOpensAnHttpOnlyStrictSessionThatExpires() throws Exception {
        assertThat(get("/dashboard/api/summary", null).statusCode()).isEqualTo(401);
        HttpResponse<String> page = get("/dashboard/", null);
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location")).hasValue("/dashboard/login");

        HttpResponse<String> login = post(
                "/dashboard/login",
                Map.of(
                        "AccessKeyId", server.adminKey().accessKeyId(),
                        "SecretAccessKey", server.adminKey().secretAccessKey()));
        assertThat(login.statusCode()).isEqualTo(200);
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie)
                .startsWith(DashboardRoutes.COOKIE + "=")
                .contains("HttpOnly", "SameSite=Strict", "Path=/dashboard", "Max-Age=28800");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        HttpResponse<String> summary = get("/dashboard/api/summary", cookie);
        assertThat(summary.statusCode()).isEqualTo(200);
        assertThat(json.readTree(summary.body())
                        .path("Total")
                        .path("NonCompliantCount")
                        .asInt())
                .isEqualTo(2);
        assertThat(get("/dashboard/", cookie).statusCode()).isEqualTo(200);
        fleet.db1().reportAsVersion("0.0.1");
        JsonNode instance =
                json.readTree(get("/dashboard/api/instances/" + fleet.db1().instanceId(), cookie)
                        .body());
        // the agent's version against the latest the server ships (the build's shelf, else its own version)
        assertThat(instance.path("Agent").path("AgentVersion").asText()).isEqualTo("0.0.1");
        assertThat(instance.path("Agent").path("LatestVersion").asText())
                .isNotEmpty()
                .isNotEqualTo("0.0.1");
        assertThat(instance.path("Agent").path("IsLatestVersion").asBoolean(true))
                .isFalse();
        assertThat(instance.path("Instance").path("Status").asText()).isEqualTo("NON_COMPLIANT");
        assertThat(instance.path("Patches").findValuesAsText("Title")).containsExactly("curl", "openssl");
        assertThat(get("/dashboard/api/instances/mi-00000000000000000", cookie).statusCode())
                .isEqualTo(404);

        clock.advance(DashboardSessions.SESSION_LIFETIME);
        assertThat(get("/dashboard/api/summary", cookie).statusCode()).isEqualTo(401);
    }

    @Test
    void instanceKeysWrongSecretsAndFormPostsAreRefused() throws Exception {
        assertThat(post(
                                "/dashboard/login",
                                Map.of(
                                        "AccessKeyId", fleet.web1().accessKeyId(),
                                        "SecretAccessKey", fleet.web1().secretAccessKey()))
                        .statusCode())
                .isEqualTo(401);
        assertThat(post(
                                "/dashboard/login",
                                Map.of("AccessKeyId", server.adminKey().accessKeyId(), "SecretAccessKey", "nope"))
                        .statusCode())
                .isEqualTo(401);
        HttpResponse<String> form = http.send(
                HttpRequest.newBuilder(uri("/dashboard/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("AccessKeyId="
                                + server.adminKey().accessKeyId() + "&SecretAccessKey="
                                + server.adminKey().secretAccessKey()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(form.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void aLoginLinkWorksOnceAndOnlyForFiveMinutes() throws Exception {
        JsonNode link = fleet.admin().call("Patchtide.CreateDashboardLoginLink", Map.of());
        String path = link.path("LoginPath").asText();
        assertThat(path).startsWith("/dashboard/login#token=");
        String token = path.substring(path.indexOf('=') + 1);

        HttpResponse<String> first = post("/dashboard/login/link", Map.of("Token", token));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Set-Cookie")).isPresent();
        assertThat(post("/dashboard/login/link", Map.of("Token", token)).statusCode())
                .isEqualTo(401);

        String late = fleet.admin()
                .call("Patchtide.CreateDashboardLoginLink", Map.of())
                .path("LoginPath")
                .asText();
        clock.advance(DashboardSessions.LINK_LIFETIME);
        assertThat(post("/dashboard/login/link", Map.of("Token", late.substring(late.indexOf('=') + 1)))
                        .statusCode())
                .isEqualTo(401);
    }

    private static URI uri(String path) {
        return server.endpoint().resolve(path);
    }

    private static HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, Map<String, String> body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
