package dev.patchtide.agent;

import java.time.Duration;
import java.time.Instant;

/** What an agent keeps after registering: who it is, where its server is, and its own credential. */
public record Registration(
        String serverUrl,
        String region,
        String instanceId,
        String accessKeyId,
        String secretAccessKey,
        long heartbeatIntervalSeconds,
        Instant registeredAt) {

    public Duration heartbeatInterval() {
        return Duration.ofSeconds(heartbeatIntervalSeconds);
    }
}
