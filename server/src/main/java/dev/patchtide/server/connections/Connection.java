package dev.patchtide.server.connections;

import dev.patchtide.server.connections.ConnectionMessages.AuthParameters;
import java.time.Instant;
import java.util.Optional;

/**
 * A stored connection. {@code shown} is its auth parameters without secrets; {@code sealed} the whole of
 * them, encrypted (open with {@link ConnectionSecrets}).
 */
record Connection(
        String name,
        String arn,
        Optional<String> description,
        AuthType type,
        ConnectionState state,
        Optional<String> stateReason,
        AuthParameters shown,
        String sealed,
        Instant createdAt,
        Instant modifiedAt,
        Optional<Instant> authorizedAt) {}
