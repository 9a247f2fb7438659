package dev.patchtide.cli;

import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The admin profile that {@code up} writes, written for a test server, so admin commands find it with --data-dir. */
final class AdminProfileFiles {
    private AdminProfileFiles() {}

    static void write(Path dataDir, TestServer server) throws IOException {
        Files.writeString(
                dataDir.resolve("aws-config"),
                "[profile patchtide]\nregion = us-east-1\nendpoint_url = " + server.endpoint() + "\n");
        Files.writeString(
                dataDir.resolve("aws-credentials"),
                "[patchtide]\naws_access_key_id = " + server.adminKey().accessKeyId() + "\naws_secret_access_key = "
                        + server.adminKey().secretAccessKey() + "\n");
    }
}
