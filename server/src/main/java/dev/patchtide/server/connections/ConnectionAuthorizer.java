package dev.patchtide.server.connections;

import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.server.delivery.DeliveryFailure;
import dev.patchtide.server.secrets.SecretBox;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes AUTHORIZING connections in the background, as EventBridge authorizes after CreateConnection and
 * UpdateConnection: claims due ones (SKIP LOCKED, with a lease, so several nodes share the work and one that
 * dies mid-authorization leaves the connection due again), asks the token endpoint, and records AUTHORIZED or
 * DEAUTHORIZED (through {@link OAuthTokens}). An endpoint that cannot be reached is asked again later. The
 * connections left AUTHORIZING by a stopped server are picked up when any node starts.
 */
final class ConnectionAuthorizer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionAuthorizer.class);
    /** Longer than a token call may take (its timeout), so a lease only ends early when its node is gone. */
    static final Duration LEASE = Duration.ofMinutes(1);
    /** How long an unreachable token endpoint is left alone. */
    static final Duration RETRY = Duration.ofMinutes(1);

    private static final Duration IDLE_POLL = Duration.ofSeconds(1);
    private static final int BATCH = 10;

    private final Jdbi jdbi;
    private final ConnectionStore store;
    private final ConnectionSecrets secrets;
    private final OAuthTokens tokens;
    private final InstantSource clock;
    private final PollingLoop loop = new PollingLoop("connection-authorizer", IDLE_POLL, () -> round() > 0);

    ConnectionAuthorizer(
            Jdbi jdbi, ConnectionStore store, ConnectionSecrets secrets, OAuthTokens tokens, InstantSource clock) {
        this.jdbi = jdbi;
        this.store = store;
        this.secrets = secrets;
        this.tokens = tokens;
        this.clock = clock;
    }

    void start() {
        loop.start();
    }

    /** Look now: a connection was just left AUTHORIZING (or a test moved the clock). */
    void wake() {
        loop.wake();
    }

    /** Claims and settles one batch; returns how many were claimed. */
    int round() {
        Instant now = clock.instant();
        List<Connection> claimed = jdbi.inTransaction(h -> store.claimAuthorizing(h, now, now.plus(LEASE), BATCH));
        for (Connection c : claimed) {
            authorize(c);
        }
        return claimed.size();
    }

    private void authorize(Connection c) {
        try {
            if (c.type() != AuthType.OAUTH_CLIENT_CREDENTIALS) {
                throw new IllegalStateException("connection " + c.name() + " of type " + c.type() + " is AUTHORIZING");
            }
            // Records AUTHORIZED, or DEAUTHORIZED when the endpoint refuses the client.
            tokens.token(c, secrets.open(c).oAuthParameters());
        } catch (DeliveryFailure failure) {
            if (failure.retryable()) {
                log.info(
                        "connection {} not authorized yet, trying again in {}: {}",
                        c.name(),
                        RETRY,
                        failure.getMessage());
                jdbi.useHandle(h -> store.authorizeLater(h, c, clock.instant().plus(RETRY)));
            } else {
                log.warn("connection {} could not be authorized: {}", c.name(), failure.getMessage());
                // A refusal is recorded already; an unusable answer is recorded here, so it does not stay pending.
                jdbi.useHandle(h -> store.authorized(
                        h, c, ConnectionState.DEAUTHORIZED, Optional.of(failure.getMessage()), clock.instant()));
            }
        } catch (SecretBox.WrongKeyException e) {
            log.warn("connection {} cannot be authorized: {}", c.name(), e.getMessage());
            jdbi.useHandle(h -> store.authorizeLater(h, c, clock.instant().plus(RETRY)));
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
