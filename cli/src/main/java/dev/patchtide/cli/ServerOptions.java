package dev.patchtide.cli;

import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.fleet.PingStatusPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Options shared by {@code up} and {@code server}. */
final class ServerOptions {
    @Option(
            names = "--data-dir",
            defaultValue = "${env:PATCHTIDE_DATA_DIR:-data}",
            description =
                    "Folder for the embedded database, the admin AWS profile and this host's agent (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
            names = "--bind",
            defaultValue = "127.0.0.1",
            description = "Address the API listens on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(
            names = "--port",
            defaultValue = "${env:PATCHTIDE_PORT:-8420}",
            description = "TCP port of the API (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--region", defaultValue = ServerConfig.DEFAULT_REGION, description = "Region the API answers as.")
    String region;

    @Option(
            names = "--account-id",
            defaultValue = ServerConfig.DEFAULT_ACCOUNT,
            description = "12-digit account id used in ARNs.")
    String accountId;

    @Option(
            names = "--heartbeat-interval",
            defaultValue = "PT5M",
            description = "How often agents report (ISO-8601 duration; default ${DEFAULT-VALUE}, as SSM).")
    Duration heartbeatInterval;

    @Option(
            names = "--missed-heartbeats",
            defaultValue = "2",
            description = "Heartbeats an agent may miss before it shows as ConnectionLost (default ${DEFAULT-VALUE}).")
    int missedHeartbeats;

    @Option(
            names = "--db-url",
            defaultValue = "${env:PATCHTIDE_DB_URL}",
            description = "JDBC URL of an external PostgreSQL (jdbc:postgresql://host:5432/db?user=u&password=p);"
                    + " without it an embedded PostgreSQL runs in the data folder.")
    String dbUrl;

    ServerConfig config() {
        return new ServerConfig(
                bind, port, region, accountId, new PingStatusPolicy(heartbeatInterval, missedHeartbeats));
    }

    Optional<String> externalDatabase() {
        return Optional.ofNullable(dbUrl).filter(url -> !url.isBlank());
    }

    Path absoluteDataDir() {
        return dataDir.toAbsolutePath().normalize();
    }
}
