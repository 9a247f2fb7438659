package dev.patchtide.server.connections;

import java.time.Instant;
import java.util.Optional;

/** A stored API destination: where and how to call, through which connection, how fast at most. */
record ApiDestination(
        String name,
        String arn,
        Optional<String> description,
        String connectionArn,
        String invocationEndpoint,
        String httpMethod,
        int rateLimitPerSecond,
        Instant createdAt,
        Instant modifiedAt) {}
