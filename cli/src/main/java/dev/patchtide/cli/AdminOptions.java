package dev.patchtide.cli;

import dev.patchtide.agent.ApiClient;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where admin commands find the server and the admin key: the profile that {@code up}/{@code server} wrote. */
final class AdminOptions {
    @Option(
            names = "--data-dir",
            defaultValue = "${env:PATCHTIDE_DATA_DIR:-data}",
            description = "Data folder of the server whose admin profile to use (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    ApiClient client() throws IOException {
        return profile().client();
    }

    AdminProfile profile() {
        return new AdminProfile(dataDir.toAbsolutePath().normalize());
    }
}
