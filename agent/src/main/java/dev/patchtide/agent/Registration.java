package dev.patchtide.agent;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;

/**
 * What an agent keeps after registering: who it is, where its server is, and its own credential. Stored as
 * {@code registration.json} with these member names and an ISO-8601 {@code registeredAt}, as since the first
 * release.
 */
public record Registration(
        @JsonProperty("serverUrl") String serverUrl,
        @JsonProperty("region") String region,
        @JsonProperty("instanceId") String instanceId,
        @JsonProperty("accessKeyId") String accessKeyId,
        @JsonProperty("secretAccessKey") String secretAccessKey,
        @JsonProperty("heartbeatIntervalSeconds") long heartbeatIntervalSeconds,
        @JsonProperty("registeredAt") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant registeredAt) {

    public Duration heartbeatInterval() {
        return Duration.ofSeconds(heartbeatIntervalSeconds);
    }
}
