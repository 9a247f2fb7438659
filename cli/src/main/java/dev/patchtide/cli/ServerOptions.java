package dev.patchtide.cli;

import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.notify.SmtpSettings;
import dev.patchtide.server.secrets.ServerKey;
import dev.patchtide.server.tls.TlsMaterial;
import dev.patchtide.server.web.MetricsAccess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
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
            description = "Address the API listens on (default: ${DEFAULT-VALUE}); 0.0.0.0 for every interface, which"
                    + " HTTPS allows and --insecure-http refuses.")
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

    @Option(
            names = "--secret-key-file",
            defaultValue = "${env:PATCHTIDE_SECRET_KEY_FILE}",
            description = "File with the base64 256-bit key that encrypts stored secrets (connection passwords, API"
                    + " keys); without it secret.key in the data folder, created (mode 0600) on first start.")
    Path secretKeyFile;

    @Option(
            names = "--public-url",
            description = "URL people and webhooks use to reach this server, for links in messages"
                    + " (default: https://<bind>:<port>); its host is one the server certificate is made for.")
    URI publicUrl;

    @Option(
            names = "--smtp-host",
            defaultValue = "${env:PATCHTIDE_SMTP_HOST}",
            description = "SMTP server for email subscriptions; without it the email protocol is off.")
    String smtpHost;

    @Option(names = "--smtp-port", defaultValue = "25", description = "SMTP port (default: ${DEFAULT-VALUE}).")
    int smtpPort;

    @Option(
            names = "--smtp-from",
            defaultValue = "${env:PATCHTIDE_SMTP_FROM}",
            description = "Sender address of notification emails, e.g. 'Patchtide <patchtide@example.com>'.")
    String smtpFrom;

    @Option(names = "--smtp-username", description = "SMTP login, if the server wants one.")
    String smtpUsername;

    @Option(
            names = "--smtp-password",
            defaultValue = "${env:PATCHTIDE_SMTP_PASSWORD}",
            description = "SMTP password (or set PATCHTIDE_SMTP_PASSWORD).")
    String smtpPassword;

    @Option(
            names = "--smtp-security",
            defaultValue = "none",
            description = "none, starttls or tls (default: ${DEFAULT-VALUE}).")
    String smtpSecurity;

    @Option(
            names = "--metrics-access",
            defaultValue = "open",
            description = "Who may read /metrics: open (anyone who reaches the server) or loopback (this host only)"
                    + " (default: ${DEFAULT-VALUE}).")
    String metricsAccess;

    @Option(
            names = "--metrics-token-file",
            defaultValue = "${env:PATCHTIDE_METRICS_TOKEN_FILE}",
            description = "File holding a token that /metrics then requires as 'Authorization: Bearer <token>';"
                    + " or set the token itself in PATCHTIDE_METRICS_TOKEN.")
    Path metricsTokenFile;

    @Option(
            names = "--tls-cert",
            description =
                    "PEM file with this server's certificate (then any intermediates) to serve HTTPS with, instead"
                            + " of the one made by the private CA in <data-dir>/tls; needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", description = "PEM file with the private key of --tls-cert (unencrypted).")
    Path tlsKey;

    @Option(
            names = "--agent-packages",
            defaultValue = "${env:PATCHTIDE_AGENT_PACKAGES}",
            description = "Folder of the agent packages (.deb, .rpm) that enrolment (/enroll.sh) hands out; default:"
                    + " /usr/share/patchtide/agent-packages when installed, else this build's packaging/target.")
    Path agentPackages;

    @Option(
            names = "--insecure-http",
            description = "Serve plain HTTP instead of HTTPS; only with a loopback --bind (tests, a single host).")
    boolean insecureHttp;

    /** How the server is to serve TLS, checked before anything starts. */
    TlsChoice tls() {
        boolean cert = tlsCert != null;
        boolean key = tlsKey != null;
        if (cert != key) {
            throw new IllegalArgumentException(
                    cert ? "tls-key must be given with tls-cert" : "tls-cert must be given with tls-key");
        }
        if (insecureHttp && cert) {
            throw new IllegalArgumentException("insecure-http serves no TLS: leave out tls-cert and tls-key with it");
        }
        if (insecureHttp) {
            return new TlsChoice.InsecureHttp();
        }
        return cert ? new TlsChoice.Given(tlsCert, tlsKey) : new TlsChoice.PrivateCa();
    }

    /** Plain HTTP, a certificate the operator gave, or the data folder's private CA (the default). */
    sealed interface TlsChoice {
        record InsecureHttp() implements TlsChoice {}

        record Given(Path cert, Path key) implements TlsChoice {}

        record PrivateCa() implements TlsChoice {}
    }

    /** The settings for plain HTTP (refused unless bound to loopback). */
    ServerConfig config() {
        return config(Optional.empty());
    }

    ServerConfig config(Optional<TlsMaterial> tls) {
        ServerConfig config = new ServerConfig(
                bind,
                port,
                region,
                accountId,
                new PingStatusPolicy(heartbeatInterval, missedHeartbeats),
                // replaced by the key from --secret-key-file or the data folder when the server starts
                ServerKey.ephemeral(),
                Optional.ofNullable(publicUrl),
                smtp(),
                metrics(System.getenv("PATCHTIDE_METRICS_TOKEN")),
                tls);
        Optional<Path> packages = givenAgentPackages();
        return packages.isPresent() ? config.withAgentPackages(packages.get().toAbsolutePath()) : config;
    }

    /** The agent packages' folder given, if any (a blank value, as an unset variable gives, is none). */
    Optional<Path> givenAgentPackages() {
        return Optional.ofNullable(agentPackages).filter(p -> !p.toString().isBlank());
    }

    MetricsAccess metrics(String tokenFromEnvironment) {
        boolean loopbackOnly =
                switch (metricsAccess) {
                    case "open" -> false;
                    case "loopback" -> true;
                    default ->
                        throw new IllegalArgumentException(
                                "metrics-access must be open or loopback, got " + metricsAccess);
                };
        Optional<String> token = Optional.ofNullable(tokenFromEnvironment).filter(t -> !t.isBlank());
        if (metricsTokenFile != null && !metricsTokenFile.toString().isBlank()) {
            try {
                token = Optional.of(Files.readString(metricsTokenFile).strip());
            } catch (IOException e) {
                throw new IllegalArgumentException("metrics-token-file cannot be read: " + metricsTokenFile, e);
            }
            if (token.get().isEmpty()) {
                throw new IllegalArgumentException("metrics-token-file is empty: " + metricsTokenFile);
            }
        }
        return new MetricsAccess(loopbackOnly, token);
    }

    private Optional<SmtpSettings> smtp() {
        if (smtpHost == null || smtpHost.isBlank()) {
            if (smtpFrom != null && !smtpFrom.isBlank() || smtpUsername != null) {
                throw new IllegalArgumentException("smtp-host must be set when other smtp- settings are");
            }
            return Optional.empty();
        }
        return Optional.of(new SmtpSettings(
                smtpHost,
                smtpPort,
                smtpFrom,
                Optional.ofNullable(smtpUsername),
                Optional.ofNullable(smtpPassword),
                smtpSecurity));
    }

    /** The key file given, if any: it must exist (a typo must not silently create a new key). */
    Optional<Path> givenSecretKeyFile() {
        return Optional.ofNullable(secretKeyFile).filter(p -> !p.toString().isBlank());
    }

    Optional<String> externalDatabase() {
        return Optional.ofNullable(dbUrl).filter(url -> !url.isBlank());
    }

    Path absoluteDataDir() {
        return dataDir.toAbsolutePath().normalize();
    }
}
