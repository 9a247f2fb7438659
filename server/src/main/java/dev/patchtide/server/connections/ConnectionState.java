package dev.patchtide.server.connections;

import dev.patchtide.server.lifecycle.Lifecycle;
import java.util.Arrays;
import java.util.List;

/**
 * A connection's state, with EventBridge's names. Patchtide settles most changes synchronously, so the
 * transient states show only where something really is pending: an OAuth connection is {@code AUTHORIZING}
 * until its first token arrives. {@code CREATING} and {@code DELETING} are never stored: they are where a
 * connection comes from and goes to, so creation and deletion are transitions of the table too.
 * {@code UPDATING}, {@code DEAUTHORIZING}, {@code ACTIVE} and {@code FAILED_CONNECTIVITY} exist for the wire
 * (a ListConnections filter) and are never entered.
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

    static final Lifecycle<ConnectionState> LIFECYCLE = Lifecycle.of("connection", ConnectionState.class)
            .on("CreateConnection with BASIC, API_KEY or NONE", CREATING, AUTHORIZED)
            .on("CreateConnection with OAUTH_CLIENT_CREDENTIALS", CREATING, AUTHORIZING)
            .on("token endpoint issued a token, or UpdateConnection to another type", AUTHORIZING, AUTHORIZED)
            .on("token endpoint refused the client, or DeauthorizeConnection", AUTHORIZING, DEAUTHORIZED)
            .on("DeauthorizeConnection, or a refused token refresh", AUTHORIZED, DEAUTHORIZED)
            .on("UpdateConnection with OAuth credentials", AUTHORIZED, AUTHORIZING)
            .on("UpdateConnection with new credentials", DEAUTHORIZED, AUTHORIZED)
            .on("UpdateConnection with new OAuth credentials", DEAUTHORIZED, AUTHORIZING)
            .on("DeleteConnection", AUTHORIZED, DELETING)
            .on("DeleteConnection", AUTHORIZING, DELETING)
            .on("DeleteConnection", DEAUTHORIZED, DELETING)
            .build();

    static final List<String> NAMES = Arrays.stream(values()).map(Enum::name).toList();

    /** The state right after credentials were set: OAuth still has to fetch its first token. */
    static ConnectionState afterCredentials(AuthType type) {
        return type == AuthType.OAUTH_CLIENT_CREDENTIALS ? AUTHORIZING : AUTHORIZED;
    }
}
