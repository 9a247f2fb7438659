package dev.patchtide.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.tls.ServerCa;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

/** Registers this host with a server using a hybrid activation, and keeps the result on disk. */
public final class Registrar {
    private final InstantSource clock;

    public Registrar(InstantSource clock) {
        this.clock = clock;
    }

    /** Registers with a server on plain {@code http} (a loopback one started with --insecure-http). */
    public Registration register(
            URI serverUrl, String region, String activationId, String activationCode, RegistrationFile file)
            throws IOException, ApiCallException {
        return register(serverUrl, region, activationId, activationCode, Optional.empty(), file);
    }

    /**
     * Registers; over {@code https} first fetches the server's CA, accepts it only if it has {@code caFingerprint},
     * registers trusting that CA alone, and keeps it next to the registration for every later start.
     */
    public Registration register(
            URI serverUrl,
            String region,
            String activationId,
            String activationCode,
            Optional<String> caFingerprint,
            RegistrationFile file)
            throws IOException, ApiCallException {
        boolean https = "https".equalsIgnoreCase(serverUrl.getScheme());
        if (!https && !"http".equalsIgnoreCase(serverUrl.getScheme())) {
            throw new IllegalArgumentException("server must be an https:// (or http://) URL, got " + serverUrl);
        }
        Optional<X509Certificate> ca = Optional.empty();
        HttpClient http;
        if (https) {
            String pin = caFingerprint.orElseThrow(() -> new IllegalArgumentException(
                    "ca-fingerprint is required for an https server: it is in the line 'patchtide activations"
                            + " create' printed (--ca-fingerprint sha256:...)"));
            ca = Optional.of(ServerCa.fetch(serverUrl, pin));
            http = ServerCa.pinnedTo(ca.get());
        } else if (caFingerprint.isPresent()) {
            throw new IllegalArgumentException(
                    "ca-fingerprint is for https servers; " + serverUrl + " is plain http, with nothing to pin");
        } else {
            http = ServerCa.httpClient(serverUrl, file.stateDir());
        }
        ApiClient anonymous = new ApiClient(serverUrl, region, Optional.empty(), clock, http);
        JsonNode answer;
        try {
            answer = anonymous.call(
                    "Patchtide.RegisterManagedInstance",
                    Map.of("ActivationId", activationId, "ActivationCode", activationCode));
        } catch (javax.net.ssl.SSLHandshakeException e) {
            throw new IOException("cannot connect to " + serverUrl + " securely: " + ServerCa.describe(e), e);
        }
        Registration registration = new Registration(
                serverUrl.toString(),
                answer.path("Region").asText(region),
                answer.path("InstanceId").asText(),
                answer.path("AccessKeyId").asText(),
                answer.path("SecretAccessKey").asText(),
                answer.path("HeartbeatIntervalSeconds").asLong(300),
                clock.instant());
        // The pin first: a registration without it could not be used over https.
        if (ca.isPresent()) {
            ServerCa.save(file.stateDir(), ca.get());
        } else {
            Files.deleteIfExists(file.stateDir().resolve(ServerCa.FILE_NAME));
        }
        file.write(registration);
        return registration;
    }
}
