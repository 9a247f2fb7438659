package dev.patchtide.server;

import dev.patchtide.server.fleet.PingStatusPolicy;
import dev.patchtide.server.notify.SmtpSettings;
import dev.patchtide.server.secrets.ServerKey;
import dev.patchtide.server.tls.TlsMaterial;
import dev.patchtide.server.web.MetricsAccess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The server's settings, checked at start-up so a mistake names the setting.
 *
 * @param bindAddress address to listen on (127.0.0.1 keeps the API on this host)
 * @param port TCP port; 0 picks a free one (tests)
 * @param region the region the API answers as, and the one SigV4 credentials must be scoped to
 * @param accountId the 12-digit account id in ARNs
 * @param secretKey encrypts secrets at rest (access-key secrets, connection passwords, API keys, ticket
 *     authorizations); from {@code --secret-key-file}
 * @param publicUrl where people and webhooks reach the server (links in messages, confirmation URLs);
 *     empty means {@code http://<bind>:<port>}
 * @param smtp how to send email; empty means the {@code email} protocol is unavailable
 * @param metricsAccess who may read {@code /metrics} (default: anyone who reaches the server)
 * @param tls the key and certificates HTTPS is served with; empty serves plain HTTP, which only a loopback bind
 *     may do ({@code --insecure-http}: tests, a single host)
 * @param agentPackages the folder of agent packages that enrolment hands out ({@code --agent-packages}); empty
 *     means the installed {@code /usr/share/patchtide/agent-packages}, else the build's {@code packaging/target}
 */
public record ServerConfig(
        String bindAddress,
        int port,
        String region,
        String accountId,
        PingStatusPolicy pingPolicy,
        ServerKey secretKey,
        Optional<URI> publicUrl,
        Optional<SmtpSettings> smtp,
        MetricsAccess metricsAccess,
        Optional<TlsMaterial> tls,
        Optional<Path> agentPackages) {
    private static final Pattern REGION = Pattern.compile("^[a-z]{2}(-[a-z]+)+-\\d{1,2}$");
    private static final Pattern ACCOUNT = Pattern.compile("^\\d{12}$");

    public static final int DEFAULT_PORT = 8420;
    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_ACCOUNT = "123456789012";

    public ServerConfig {
        if (bindAddress == null || bindAddress.isBlank()) {
            throw new IllegalArgumentException("bind must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        if (region == null || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("region must look like us-east-1, got " + region);
        }
        if (accountId == null || !ACCOUNT.matcher(accountId).matches()) {
            throw new IllegalArgumentException("account-id must be 12 digits, got " + accountId);
        }
        if (pingPolicy == null) {
            throw new IllegalArgumentException("ping policy must be set");
        }
        if (secretKey == null) {
            throw new IllegalArgumentException("secret-key-file must be set");
        }
        publicUrl = publicUrl == null ? Optional.empty() : publicUrl;
        smtp = smtp == null ? Optional.empty() : smtp;
        metricsAccess = metricsAccess == null ? MetricsAccess.open() : metricsAccess;
        publicUrl.ifPresent(ServerConfig::checkPublicUrl);
        tls = tls == null ? Optional.empty() : tls;
        if (tls.isEmpty() && !isLoopback(bindAddress)) {
            throw new IllegalArgumentException(
                    "insecure-http serves plain HTTP on a loopback address only, but bind is " + bindAddress
                            + ": bind 127.0.0.1, or serve HTTPS (leave out --insecure-http)");
        }
        agentPackages = agentPackages == null ? Optional.empty() : agentPackages;
        agentPackages.ifPresent(ServerConfig::checkAgentPackages);
    }

    /** As before the agent packages' setting: the standard folder. */
    public ServerConfig(
            String bindAddress,
            int port,
            String region,
            String accountId,
            PingStatusPolicy pingPolicy,
            ServerKey secretKey,
            Optional<URI> publicUrl,
            Optional<SmtpSettings> smtp,
            MetricsAccess metricsAccess,
            Optional<TlsMaterial> tls) {
        this(
                bindAddress,
                port,
                region,
                accountId,
                pingPolicy,
                secretKey,
                publicUrl,
                smtp,
                metricsAccess,
                tls,
                Optional.empty());
    }

    /** A folder that is not there would make enrolment fail on every host later: refused at start instead. */
    public static void checkAgentPackages(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("agent-packages must be a folder of agent packages, but " + dir
                    + (Files.exists(dir) ? " is not a folder" : " does not exist"));
        }
    }

    /** As before TLS: plain HTTP. */
    public ServerConfig(
            String bindAddress,
            int port,
            String region,
            String accountId,
            PingStatusPolicy pingPolicy,
            ServerKey secretKey,
            Optional<URI> publicUrl,
            Optional<SmtpSettings> smtp,
            MetricsAccess metricsAccess) {
        this(
                bindAddress,
                port,
                region,
                accountId,
                pingPolicy,
                secretKey,
                publicUrl,
                smtp,
                metricsAccess,
                Optional.empty());
    }

    private static boolean isLoopback(String address) {
        try {
            return java.net.InetAddress.getByName(address).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("bind is not an address of this host: " + address);
        }
    }

    /**
     * With a key that lives only as long as this process, the same for every server it starts (tests):
     * secrets stored under it die with it.
     */
    public ServerConfig(String bindAddress, int port, String region, String accountId, PingStatusPolicy pingPolicy) {
        this(
                bindAddress,
                port,
                region,
                accountId,
                pingPolicy,
                ServerKey.ofThisProcess(),
                Optional.empty(),
                Optional.empty(),
                MetricsAccess.open());
    }

    private static void checkPublicUrl(URI url) {
        boolean web = "http".equals(url.getScheme()) || "https".equals(url.getScheme());
        if (!web || url.getHost() == null || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("public-url must be an http(s) URL without query, got " + url);
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig(
                "127.0.0.1", DEFAULT_PORT, DEFAULT_REGION, DEFAULT_ACCOUNT, PingStatusPolicy.defaults());
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(
                bindAddress,
                newPort,
                region,
                accountId,
                pingPolicy,
                secretKey,
                publicUrl,
                smtp,
                metricsAccess,
                tls,
                agentPackages);
    }

    public ServerConfig withSecretKey(ServerKey newKey) {
        return new ServerConfig(
                bindAddress,
                port,
                region,
                accountId,
                pingPolicy,
                newKey,
                publicUrl,
                smtp,
                metricsAccess,
                tls,
                agentPackages);
    }

    public ServerConfig withPingPolicy(PingStatusPolicy newPolicy) {
        return new ServerConfig(
                bindAddress,
                port,
                region,
                accountId,
                newPolicy,
                secretKey,
                publicUrl,
                smtp,
                metricsAccess,
                tls,
                agentPackages);
    }

    public ServerConfig withPublicUrl(URI url) {
        return new ServerConfig(
                bindAddress,
                port,
                region,
                accountId,
                pingPolicy,
                secretKey,
                Optional.of(url),
                smtp,
                metricsAccess,
                tls,
                agentPackages);
    }

    public ServerConfig withSmtp(SmtpSettings settings) {
        return new ServerConfig(
                bindAddress,
                port,
                region,
                accountId,
                pingPolicy,
                secretKey,
                publicUrl,
                Optional.of(settings),
                metricsAccess,
                tls,
                agentPackages);
    }

    public ServerConfig withMetricsAccess(MetricsAccess access) {
        return new ServerConfig(
                bindAddress,
                port,
                region,
                accountId,
                pingPolicy,
                secretKey,
                publicUrl,
                smtp,
                access,
                tls,
                agentPackages);
    }

    /** Serves HTTPS with {@code material}; the bind may then be any address. */
    public ServerConfig withTls(TlsMaterial material) {
        return new ServerConfig(
                bindAddress,
                port,
                region,
                accountId,
                pingPolicy,
                secretKey,
                publicUrl,
                smtp,
                metricsAccess,
                Optional.of(material),
                agentPackages);
    }

    /** Enrolment hands out the agent packages in {@code dir} (which must be a folder). */
    public ServerConfig withAgentPackages(Path dir) {
        return new ServerConfig(
                bindAddress,
                port,
                region,
                accountId,
                pingPolicy,
                secretKey,
                publicUrl,
                smtp,
                metricsAccess,
                tls,
                Optional.of(dir));
    }

    /** {@code https} when serving TLS, else {@code http}. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }

    /**
     * The configured public URL, or {@code <scheme>://<bind>:<port>} with the port actually listened on (this
     * host's name when bound to every address, where the bind address would be no use in a link).
     */
    public URI publicUrlOr(int actualPort) {
        return publicUrl.orElseGet(() -> {
            String host = bindAddress;
            if (host.equals("0.0.0.0") || host.equals("::")) {
                try {
                    host = java.net.InetAddress.getLocalHost().getHostName();
                } catch (java.net.UnknownHostException e) {
                    host = "127.0.0.1";
                }
            }
            return URI.create(scheme() + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + actualPort);
        });
    }
}
