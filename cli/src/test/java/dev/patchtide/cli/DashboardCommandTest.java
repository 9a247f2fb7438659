package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardCommandTest {

    @Test
    void dashboardLinkPrintsAOneTimeLinkThatSignsInOnce(@TempDir Path dataDir) throws Exception {
        try (TestServer server = TestServer.start(MutableClock.ofNow())) {
            AdminProfileFiles.write(dataDir, server);

            InProcessCli.Run run = InProcessCli.run("dashboard", "link", "--data-dir", dataDir.toString());

            assertThat(run.exit()).as(run.err()).isZero();
            String base = server.endpoint().toString().replaceAll("/+$", "");
            Matcher link = Pattern.compile(Pattern.quote(base) + "/dashboard/login#token=(\\S+)")
                    .matcher(run.out());
            assertThat(link.matches()).as(run.out()).isTrue();
            assertThat(run.err()).contains("5 minutes");
            assertThat(signIn(base, link.group(1)).statusCode()).isEqualTo(200);
            assertThat(signIn(base, link.group(1)).statusCode()).isNotEqualTo(200);

            InProcessCli.Run second = InProcessCli.run("dashboard", "link", "--data-dir", dataDir.toString());
            assertThat(second.out()).isNotEqualTo(run.out()).startsWith(base + "/dashboard/login#token=");
        }
    }

    @Test
    void withoutAServerProfileItSaysWhatToStart(@TempDir Path dataDir) {
        InProcessCli.Run run = InProcessCli.run("dashboard", "link", "--data-dir", dataDir.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("no admin credentials").contains("./patchtide up");
    }

    private static HttpResponse<String> signIn(String base, String token) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(base + "/dashboard/login/link"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"Token\":\"" + token + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
