package dev.patchtide.cli;

import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.tls.ServerCa;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.auth.AccessKeyStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The AWS CLI profile named {@value #PROFILE} in the data folder: {@code aws-config} (region, endpoint_url)
 * (with {@code ca_bundle}, the server's CA, when it serves HTTPS) and {@code aws-credentials} (an admin access
 * key, 0600). The plain {@code aws} command, the SDKs and
 * Patchtide's own admin commands all use it.
 */
final class AdminProfile {
    static final String PROFILE = "patchtide";

    private final Path config;
    private final Path credentials;

    AdminProfile(Path dataDir) {
        this.config = dataDir.resolve("aws-config");
        this.credentials = dataDir.resolve("aws-credentials");
    }

    /** Keeps the stored admin key if the server still knows it, otherwise issues a new one; rewrites both files. */
    void ensure(AccessKeyStore keys, String region, String endpoint, Optional<Path> caBundle) throws IOException {
        Optional<SigV4Credentials> current =
                readCredentials().filter(c -> keys.isActiveAdminKey(c.accessKeyId(), c.secretAccessKey()));
        SigV4Credentials admin = current.orElseGet(() -> {
            AccessKeyStore.IssuedKey key = keys.createAdminKey("admin profile of patchtide up/server", Instant.now());
            return new SigV4Credentials(key.accessKeyId(), key.secretAccessKey());
        });
        writePrivate(
                credentials,
                "[" + PROFILE + "]\naws_access_key_id = " + admin.accessKeyId() + "\naws_secret_access_key = "
                        + admin.secretAccessKey() + "\n");
        // cli_follow_urlparam: AWS CLI v1 would otherwise fetch any https://... argument (an API destination's
        // endpoint) instead of passing it on; v2 already behaves so. disable_host_prefix_injection: AWS prefixes
        // some actions' host (sync-… for StartSyncExecution), which a server reached by address cannot answer.
        writePrivate(
                config,
                "[profile " + PROFILE + "]\nregion = " + region + "\nendpoint_url = " + endpoint
                        + "\ncli_follow_urlparam = false\ndisable_host_prefix_injection = true\n"
                        // the AWS CLI and SDKs trust the server's private CA through this, with no extra flag
                        + caBundle.map(ca -> "ca_bundle = " + ca + "\n").orElse(""));
    }

    /** A signed client for the server this profile points at. */
    ApiClient client() throws IOException {
        Map<String, String> settings = readIni(config, "profile " + PROFILE);
        String endpoint = settings.get("endpoint_url");
        String region = settings.get("region");
        SigV4Credentials creds = readCredentials()
                .orElseThrow(() -> new IOException("no admin credentials in " + credentials
                        + "; start the server with './patchtide up' or './patchtide server' first"));
        if (endpoint == null || region == null) {
            throw new IOException(config + " lacks endpoint_url or region; start the server first");
        }
        URI server = URI.create(endpoint);
        Optional<X509Certificate> ca = caCertificate();
        HttpClient http = ca.isPresent()
                ? ServerCa.pinnedTo(ca.get())
                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return new ApiClient(server, region, Optional.of(creds), Clock.systemUTC(), http);
    }

    /** The CA the profile trusts ({@code ca_bundle}); empty for a plain-HTTP server. */
    Optional<X509Certificate> caCertificate() throws IOException {
        String bundle = readIni(config, "profile " + PROFILE).get("ca_bundle");
        return bundle == null ? Optional.empty() : Optional.of(ServerCa.read(Path.of(bundle)));
    }

    /**
     * The shell line that points the AWS CLI at this profile. Over HTTPS it names the CA in AWS_CA_BUNDLE too:
     * that variable, when a shell sets it, would otherwise win over the profile's {@code ca_bundle}.
     */
    String exportLine() throws IOException {
        String bundle = readIni(config, "profile " + PROFILE).get("ca_bundle");
        return "export AWS_CONFIG_FILE=" + config + " AWS_SHARED_CREDENTIALS_FILE=" + credentials + " AWS_PROFILE="
                + PROFILE + (bundle == null ? "" : " AWS_CA_BUNDLE=" + bundle);
    }

    private Optional<SigV4Credentials> readCredentials() throws IOException {
        Map<String, String> values = readIni(credentials, PROFILE);
        String id = values.get("aws_access_key_id");
        String secret = values.get("aws_secret_access_key");
        return id == null || secret == null ? Optional.empty() : Optional.of(new SigV4Credentials(id, secret));
    }

    /** The key = value pairs of one [section] of an AWS-style INI file; empty if the file is absent. */
    static Map<String, String> readIni(Path file, String section) throws IOException {
        Map<String, String> values = new HashMap<>();
        if (!Files.exists(file)) {
            return values;
        }
        boolean inSection = false;
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.startsWith("[") && line.endsWith("]")) {
                inSection = line.substring(1, line.length() - 1).strip().equals(section);
            } else if (inSection && line.contains("=") && !line.startsWith("#") && !line.startsWith(";")) {
                int eq = line.indexOf('=');
                values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return values;
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(
                file.getParent(),
                file.getFileName().toString(),
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(temp, content);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
