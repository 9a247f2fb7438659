package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchtide.server.web.MetricsAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The server's /metrics options: open by default, loopback on request, a token from a file or the environment. */
class MetricsOptionsTest {
    @TempDir
    Path dir;

    private static ServerOptions parse(String... args) {
        ServerOptions options = new ServerOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    @Test
    void openByDefault() {
        assertThat(parse().metrics(null)).isEqualTo(MetricsAccess.open());
    }

    @Test
    void loopbackAndATokenFromAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("metrics.token"), "tok-123\n");
        MetricsAccess access = parse("--metrics-access", "loopback", "--metrics-token-file", file.toString())
                .metrics(null);
        assertThat(access).isEqualTo(new MetricsAccess(true, Optional.of("tok-123")));
    }

    @Test
    void aTokenFromTheEnvironment() {
        assertThat(parse().metrics("env-token").bearerToken()).contains("env-token");
    }

    @Test
    void mistakesNameTheSetting() throws Exception {
        assertThatThrownBy(() -> parse("--metrics-access", "public").metrics(null))
                .hasMessageContaining("metrics-access");
        Path empty = Files.writeString(dir.resolve("empty"), " \n");
        assertThatThrownBy(() -> parse("--metrics-token-file", empty.toString()).metrics(null))
                .hasMessageContaining("metrics-token-file");
        assertThatThrownBy(() -> parse(
                                "--metrics-token-file", dir.resolve("missing").toString())
                        .metrics(null))
                .hasMessageContaining("metrics-token-file");
    }
}
