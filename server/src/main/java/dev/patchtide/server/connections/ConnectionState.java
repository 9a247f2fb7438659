package dev.patchtide.server.connections;

import java.util.Arrays;
import java.util.List;

/**
 * A connection's state, with EventBridge's names. Patchtide settles most changes synchronously, so the
 * transient states show only where something really is pending: an OAuth connection is {@code AUTHORIZING}
 * until its first token arrives.
 */
enum ConnectionState {
    CREATING,
    UPDATING,
    DELETING,
    AUTHORIZED,
    DEAUTHORIZED,
    AUTHORIZING,
    DEAUTHORIZING,
    ACTIVE,
    FAILED_CONNECTIVITY;

    static final List<String> NAMES = Arrays.stream(values()).map(Enum::name).toList();

    /** The state right after credentials were set: OAuth still has to fetch its first token. */
    static ConnectionState afterCredentials(AuthType type) {
        return type == AuthType.OAUTH_CLIENT_CREDENTIALS ? AUTHORIZING : AUTHORIZED;
    }
}
