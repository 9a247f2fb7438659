package dev.patchtide.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

/** Registers this host with a server using a hybrid activation, and keeps the result on disk. */
public final class Registrar {
    private final InstantSource clock;

    public Registrar(InstantSource clock) {
        this.clock = clock;
    }

    public Registration register(
            URI serverUrl, String region, String activationId, String activationCode, RegistrationFile file)
            throws IOException, ApiCallException {
        ApiClient anonymous = new ApiClient(serverUrl, region, Optional.empty(), clock);
        JsonNode answer = anonymous.call(
                "Patchtide.RegisterManagedInstance",
                Map.of("ActivationId", activationId, "ActivationCode", activationCode));
        Registration registration = new Registration(
                serverUrl.toString(),
                answer.path("Region").asText(region),
                answer.path("InstanceId").asText(),
                answer.path("AccessKeyId").asText(),
                answer.path("SecretAccessKey").asText(),
                answer.path("HeartbeatIntervalSeconds").asLong(300),
                clock.instant());
        file.write(registration);
        return registration;
    }
}
