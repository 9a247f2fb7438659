package dev.patchtide.server.connections;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.connections.ConnectionMessages.AuthParameters;
import dev.patchtide.server.connections.ConnectionMessages.ConnectionChange;
import dev.patchtide.server.connections.ConnectionMessages.ConnectionSummary;
import dev.patchtide.server.connections.ConnectionMessages.CreateConnectionRequest;
import dev.patchtide.server.connections.ConnectionMessages.DescribeConnectionResult;
import dev.patchtide.server.connections.ConnectionMessages.ListConnectionsRequest;
import dev.patchtide.server.connections.ConnectionMessages.ListConnectionsResult;
import dev.patchtide.server.connections.ConnectionMessages.NameRequest;
import dev.patchtide.server.connections.ConnectionMessages.UpdateConnectionRequest;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** {@code AWSEvents.*Connection*}: create, describe, list, update, deauthorize and delete connections. */
final class ConnectionApi {
    private static final String LISTING = "connections";

    private final Jdbi jdbi;
    private final ConnectionStore store;
    private final ConnectionSecrets secrets;
    private final InstantSource clock;
    private final String arnPrefix;
    private final Runnable authorizeSoon;

    /** @param authorizeSoon wakes the authorizer, which fetches first OAuth tokens in the background */
    ConnectionApi(
            Jdbi jdbi,
            ConnectionStore store,
            ConnectionSecrets secrets,
            InstantSource clock,
            String region,
            String accountId,
            Runnable authorizeSoon) {
        this.jdbi = jdbi;
        this.store = store;
        this.secrets = secrets;
        this.clock = clock;
        this.arnPrefix = "arn:aws:events:" + region + ":" + accountId + ":connection/";
        this.authorizeSoon = authorizeSoon;
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "AWSEvents.CreateConnection",
                CreateConnectionRequest.class,
                Access.adminOnly(),
                (q, who) -> create(q)));
        router.register(new Action<>(
                "AWSEvents.DescribeConnection", NameRequest.class, Access.adminOnly(), (q, who) -> describe(q)));
        router.register(new Action<>(
                "AWSEvents.ListConnections", ListConnectionsRequest.class, Access.adminOnly(), (q, who) -> list(q)));
        router.register(new Action<>(
                "AWSEvents.UpdateConnection",
                UpdateConnectionRequest.class,
                Access.adminOnly(),
                (q, who) -> update(q)));
        router.register(new Action<>(
                "AWSEvents.DeauthorizeConnection", NameRequest.class, Access.adminOnly(), (q, who) -> deauthorize(q)));
        router.register(new Action<>(
                "AWSEvents.DeleteConnection", NameRequest.class, Access.adminOnly(), (q, who) -> delete(q)));
    }

    private ConnectionChange create(CreateConnectionRequest q) {
        Instant now = now();
        AuthType type = AuthType.valueOf(q.authorizationType());
        String arn = arnPrefix + q.name() + "/" + UUID.randomUUID();
        AuthParameters auth = AuthMerge.onlyOf(q.authParameters(), type);
        ConnectionState state = ConnectionState.afterCredentials(type);
        Connection c = new Connection(
                q.name(),
                arn,
                Optional.ofNullable(q.description()),
                type,
                state,
                Optional.empty(),
                auth.withoutSecrets(),
                secrets.seal(auth, arn),
                now,
                now,
                state == ConnectionState.AUTHORIZED ? Optional.of(now) : Optional.empty());
        if (!jdbi.inTransaction(h -> store.insert(h, c, secrets.keyId()))) {
            throw new ApiException.Conflict(
                    "ResourceAlreadyExistsException", "Connection " + q.name() + " already exists.");
        }
        if (state == ConnectionState.AUTHORIZING) {
            authorizeSoon.run();
        }
        return change(c);
    }

    private DescribeConnectionResult describe(NameRequest q) {
        Connection c = jdbi.withHandle(h -> store.byName(h, q.name(), false)).orElseThrow(() -> notFound(q.name()));
        return new DescribeConnectionResult(
                c.arn(),
                c.name(),
                c.description().orElse(null),
                c.state().name(),
                c.stateReason().orElse(null),
                c.type().name(),
                c.shown(),
                c.createdAt(),
                c.modifiedAt(),
                c.authorizedAt().orElse(null));
    }

    private ListConnectionsResult list(ListConnectionsRequest q) {
        int limit = q.limit() == null ? 100 : q.limit();
        String after = PageToken.decode(LISTING, q.nextToken()).orElse("");
        List<Connection> page = jdbi.withHandle(h -> store.list(
                h, Optional.ofNullable(q.namePrefix()), Optional.ofNullable(q.connectionState()), after, limit + 1));
        String next = page.size() > limit
                ? PageToken.encode(LISTING, page.get(limit - 1).name())
                : null;
        List<ConnectionSummary> summaries = page.stream()
                .limit(limit)
                .map(c -> new ConnectionSummary(
                        c.arn(),
                        c.name(),
                        c.state().name(),
                        c.stateReason().orElse(null),
                        c.type().name(),
                        c.createdAt(),
                        c.modifiedAt(),
                        c.authorizedAt().orElse(null)))
                .toList();
        return new ListConnectionsResult(summaries, next);
    }

    private ConnectionChange update(UpdateConnectionRequest q) {
        Instant now = now();
        Connection updated = jdbi.inTransaction(h -> {
            Connection old = store.byName(h, q.name(), true).orElseThrow(() -> notFound(q.name()));
            AuthType type = q.authorizationType() == null ? old.type() : AuthType.valueOf(q.authorizationType());
            boolean credentialsChanged = q.authParameters() != null || type != old.type();
            AuthParameters auth = secrets.open(old);
            if (credentialsChanged) {
                auth = AuthMerge.merge(
                        auth, q.authParameters() == null ? AuthParameters.EMPTY : q.authParameters(), type);
                Validation complete = new Validation();
                AuthRules.forCreate(complete, type, auth);
                complete.throwIfInvalid();
            }
            ConnectionState state = credentialsChanged ? ConnectionState.afterCredentials(type) : old.state();
            Connection c = new Connection(
                    old.name(),
                    old.arn(),
                    q.description() != null ? Optional.of(q.description()) : old.description(),
                    type,
                    state,
                    credentialsChanged ? Optional.empty() : old.stateReason(),
                    auth.withoutSecrets(),
                    secrets.seal(auth, old.arn()),
                    old.createdAt(),
                    now,
                    credentialsChanged && state == ConnectionState.AUTHORIZED ? Optional.of(now) : old.authorizedAt());
            store.update(h, old.state(), c, secrets.keyId());
            return c;
        });
        if (updated.state() == ConnectionState.AUTHORIZING) {
            authorizeSoon.run();
        }
        return change(updated);
    }

    /** As EventBridge: removes the credentials (and secret parameters); calls through it fail until updated. */
    private ConnectionChange deauthorize(NameRequest q) {
        Instant now = now();
        Connection c = jdbi.inTransaction(h -> {
            Connection old = store.byName(h, q.name(), true).orElseThrow(() -> notFound(q.name()));
            AuthParameters kept = secrets.open(old).withoutSecrets();
            Connection done = new Connection(
                    old.name(),
                    old.arn(),
                    old.description(),
                    old.type(),
                    ConnectionState.DEAUTHORIZED,
                    Optional.of("Deauthorized by DeauthorizeConnection"),
                    kept,
                    secrets.seal(kept, old.arn()),
                    old.createdAt(),
                    now,
                    old.authorizedAt());
            store.update(h, old.state(), done, secrets.keyId());
            return done;
        });
        return change(c);
    }

    private ConnectionChange delete(NameRequest q) {
        Connection c = jdbi.inTransaction(h -> {
            Connection old = store.byName(h, q.name(), true).orElseThrow(() -> notFound(q.name()));
            store.delete(h, q.name(), old.state());
            return old;
        });
        return new ConnectionChange(
                c.arn(),
                ConnectionState.DELETING.name(),
                c.createdAt(),
                c.modifiedAt(),
                c.authorizedAt().orElse(null));
    }

    private static ConnectionChange change(Connection c) {
        return new ConnectionChange(
                c.arn(),
                c.state().name(),
                c.createdAt(),
                c.modifiedAt(),
                c.authorizedAt().orElse(null));
    }

    private Instant now() {
        // The database keeps microseconds: round here so what we return equals what we read back.
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    static ApiException notFound(String name) {
        return new ApiException.NotFound(
                "ResourceNotFoundException",
                "Failed to describe the connection(s). Connection '" + name + "' does not exist.");
    }
}
