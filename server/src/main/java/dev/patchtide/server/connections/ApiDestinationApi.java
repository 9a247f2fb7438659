package dev.patchtide.server.connections;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.connections.ApiDestinationMessages.ApiDestinationChange;
import dev.patchtide.server.connections.ApiDestinationMessages.ApiDestinationView;
import dev.patchtide.server.connections.ApiDestinationMessages.CreateApiDestinationRequest;
import dev.patchtide.server.connections.ApiDestinationMessages.Empty;
import dev.patchtide.server.connections.ApiDestinationMessages.ListApiDestinationsRequest;
import dev.patchtide.server.connections.ApiDestinationMessages.ListApiDestinationsResult;
import dev.patchtide.server.connections.ApiDestinationMessages.NameRequest;
import dev.patchtide.server.connections.ApiDestinationMessages.UpdateApiDestinationRequest;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** {@code AWSEvents.*ApiDestination*}: the HTTP endpoints rules can target, each through a connection. */
final class ApiDestinationApi {
    private static final String LISTING = "api-destinations";

    private final Jdbi jdbi;
    private final ConnectionStore connections;
    private final InstantSource clock;
    private final String arnPrefix;

    ApiDestinationApi(Jdbi jdbi, ConnectionStore connections, InstantSource clock, String region, String accountId) {
        this.jdbi = jdbi;
        this.connections = connections;
        this.clock = clock;
        this.arnPrefix = "arn:aws:events:" + region + ":" + accountId + ":api-destination/";
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "AWSEvents.CreateApiDestination",
                CreateApiDestinationRequest.class,
                Access.adminOnly(),
                (q, who) -> create(q)));
        router.register(new Action<>(
                "AWSEvents.DescribeApiDestination", NameRequest.class, Access.adminOnly(), (q, who) -> describe(q)));
        router.register(new Action<>(
                "AWSEvents.ListApiDestinations",
                ListApiDestinationsRequest.class,
                Access.adminOnly(),
                (q, who) -> list(q)));
        router.register(new Action<>(
                "AWSEvents.UpdateApiDestination",
                UpdateApiDestinationRequest.class,
                Access.adminOnly(),
                (q, who) -> update(q)));
        router.register(new Action<>(
                "AWSEvents.DeleteApiDestination", NameRequest.class, Access.adminOnly(), (q, who) -> delete(q)));
    }

    private ApiDestinationChange create(CreateApiDestinationRequest q) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        ApiDestination d = new ApiDestination(
                q.name(),
                arnPrefix + q.name() + "/" + UUID.randomUUID(),
                Optional.ofNullable(q.description()),
                q.connectionArn(),
                q.invocationEndpoint(),
                q.httpMethod(),
                q.invocationRateLimitPerSecond() == null
                        ? ApiDestinationMessages.DEFAULT_RATE
                        : q.invocationRateLimitPerSecond(),
                now,
                now);
        boolean created = jdbi.inTransaction(h -> {
            requireConnection(h, q.connectionArn());
            return ApiDestinationStore.insert(h, d);
        });
        if (!created) {
            throw new ApiException.Conflict(
                    "ResourceAlreadyExistsException", "An api-destination '" + q.name() + "' already exists.");
        }
        return change(d);
    }

    private ApiDestinationView describe(NameRequest q) {
        return view(jdbi.withHandle(h -> ApiDestinationStore.byName(h, q.name(), false))
                .orElseThrow(() -> notFound(q.name())));
    }

    private ListApiDestinationsResult list(ListApiDestinationsRequest q) {
        int limit = q.limit() == null ? 100 : q.limit();
        String after = PageToken.decode(LISTING, q.nextToken()).orElse("");
        List<ApiDestination> page = jdbi.withHandle(h -> ApiDestinationStore.list(
                h, Optional.ofNullable(q.namePrefix()), Optional.ofNullable(q.connectionArn()), after, limit + 1));
        String next = page.size() > limit
                ? PageToken.encode(LISTING, page.get(limit - 1).name())
                : null;
        return new ListApiDestinationsResult(
                page.stream().limit(limit).map(ApiDestinationApi::view).toList(), next);
    }

    private ApiDestinationChange update(UpdateApiDestinationRequest q) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return change(jdbi.inTransaction(h -> {
            ApiDestination old = ApiDestinationStore.byName(h, q.name(), true).orElseThrow(() -> notFound(q.name()));
            if (q.connectionArn() != null) {
                requireConnection(h, q.connectionArn());
            }
            ApiDestination d = new ApiDestination(
                    old.name(),
                    old.arn(),
                    q.description() != null ? Optional.of(q.description()) : old.description(),
                    q.connectionArn() != null ? q.connectionArn() : old.connectionArn(),
                    q.invocationEndpoint() != null ? q.invocationEndpoint() : old.invocationEndpoint(),
                    q.httpMethod() != null ? q.httpMethod() : old.httpMethod(),
                    q.invocationRateLimitPerSecond() != null
                            ? q.invocationRateLimitPerSecond()
                            : old.rateLimitPerSecond(),
                    old.createdAt(),
                    now);
            ApiDestinationStore.update(h, d);
            return d;
        }));
    }

    private Empty delete(NameRequest q) {
        if (!jdbi.inTransaction(h -> ApiDestinationStore.delete(h, q.name()))) {
            throw notFound(q.name());
        }
        return new Empty();
    }

    private void requireConnection(Handle h, String arn) {
        if (connections.byArn(h, arn).isEmpty()) {
            throw new ApiException.NotFound("ResourceNotFoundException", "Connection '" + arn + "' does not exist.");
        }
    }

    private static ApiDestinationChange change(ApiDestination d) {
        return new ApiDestinationChange(d.arn(), "ACTIVE", d.createdAt(), d.modifiedAt());
    }

    private static ApiDestinationView view(ApiDestination d) {
        return new ApiDestinationView(
                d.arn(),
                d.name(),
                d.description().orElse(null),
                "ACTIVE",
                d.connectionArn(),
                d.invocationEndpoint(),
                d.httpMethod(),
                d.rateLimitPerSecond(),
                d.createdAt(),
                d.modifiedAt());
    }

    private static ApiException notFound(String name) {
        return new ApiException.NotFound(
                "ResourceNotFoundException",
                "Failed to describe the api-destination(s). An api-destination '" + name + "' does not exist.");
    }
}
