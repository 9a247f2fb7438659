package dev.patchtide.agent.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** AWS's InstallOverrideList YAML, read into the ids the server's install plan takes. */
class OverrideListTest {

    @Test
    void idsWithAndWithoutTitlesAsAwsWritesThem() throws Exception {
        String yaml =
                """
                # approved by the change board
                patches:
                    -
                        id: 'kernel.x86_64'
                    -
                        id: 'bind*.x86_64'
                        title: '32:9.8.2-0.62.rc1.el6_9.2'
                    - {id: "openssl", severity: Critical}
                    - id: openssl.amd64:3.0.15-1~deb12u1
                      title: ignored-when-the-id-has-a-version
                """;

        assertThat(OverrideList.parse(yaml))
                .containsExactly(
                        "kernel.x86_64",
                        "bind*.x86_64:32:9.8.2-0.62.rc1.el6_9.2",
                        "openssl",
                        "openssl.amd64:3.0.15-1~deb12u1");
    }

    @Test
    void anythingElseIsRefusedSayingWhat() {
        assertThatThrownBy(() -> OverrideList.parse("patches:\n  - title: x\n"))
                .hasMessageContaining("patches entry 1 has no id");
        assertThatThrownBy(() -> OverrideList.parse("updates: []\n")).hasMessageContaining("'patches' list");
        assertThatThrownBy(() -> OverrideList.parse("patches: [\n")).hasMessageContaining("not YAML");
        // Only plain data: no tag may build an object.
        assertThatThrownBy(() -> OverrideList.parse("patches: !!java.util.ArrayList []\n"))
                .hasMessageContaining("not YAML");
    }

    @Test
    void aFetchedListIsBoundedInSize() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/small.yaml", exchange -> answer(exchange, "patches:\n  - id: openssl\n"));
        server.createContext(
                "/huge.yaml",
                exchange ->
                        answer(exchange, "patches:\n" + "  - id: openssl\n".repeat(OverrideList.MAX_BYTES / 16 + 10)));
        server.createContext("/missing.yaml", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            OverrideList lists = OverrideList.standard();
            assertThat(lists.fetch(URI.create(base + "/small.yaml"))).containsExactly("openssl");
            assertThatThrownBy(() -> lists.fetch(URI.create(base + "/huge.yaml")))
                    .hasMessageContaining("larger than " + OverrideList.MAX_BYTES);
            assertThatThrownBy(() -> lists.fetch(URI.create(base + "/missing.yaml")))
                    .hasMessageContaining("HTTP 404");
        } finally {
            server.stop(0);
        }
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        } catch (java.io.IOException closedEarly) {
            // The client stops reading past the bound.
        }
    }
}
