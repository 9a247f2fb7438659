package dev.patchtide.server.connections;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.connections.ConnectionMessages.AuthParameters;
import dev.patchtide.server.connections.ConnectionMessages.HttpParameters;
import dev.patchtide.server.delivery.Deliverer;
import dev.patchtide.server.delivery.DeliveryFailure;
import dev.patchtide.server.delivery.PendingDelivery;
import dev.patchtide.server.secrets.SecretBox;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Delivers {@code api-destination} deliveries: one HTTP call to the destination's endpoint, authorized
 * through its connection, within the destination's rate limit. Results are classified as EventBridge
 * does: 2xx delivered; 401, 407, 409, 429, 5xx, timeouts and unreachable endpoints retried (a 401/407 on
 * an OAuth connection first fetches a new token and tries once more at once); other statuses are final.
 */
final class ApiDestinationDeliverer implements Deliverer {
    static final String KIND = "api-destination";
    static final String DELIVERY_ID_HEADER = "X-Patchtide-Delivery-Id";
    private static final Duration RATE_WAIT = Duration.ofSeconds(2);

    private final Jdbi jdbi;
    private final ConnectionStore connections;
    private final ConnectionSecrets secrets;
    private final HttpClient http;
    private final Duration timeout;
    private final OAuthTokens tokens;
    private final RateLimiter rates;
    private final ObjectMapper json = ApiJson.documents();

    ApiDestinationDeliverer(
            Jdbi jdbi,
            ConnectionStore connections,
            ConnectionSecrets secrets,
            HttpClient http,
            Duration timeout,
            OAuthTokens tokens,
            RateLimiter rates) {
        this.jdbi = jdbi;
        this.connections = connections;
        this.secrets = secrets;
        this.http = http;
        this.timeout = timeout;
        this.tokens = tokens;
        this.rates = rates;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void deliver(PendingDelivery delivery) throws DeliveryFailure {
        String arn = delivery.delivery().destination();
        ApiDestination destination = jdbi.withHandle(h -> ApiDestinationStore.byArn(h, arn))
                .orElseThrow(() -> DeliveryFailure.permanent("API destination " + arn + " does not exist"));
        Connection connection = jdbi.withHandle(h -> connections.byArn(h, destination.connectionArn()))
                .orElseThrow(() -> DeliveryFailure.permanent(
                        "connection " + destination.connectionArn() + " of " + arn + " does not exist"));
        if (connection.state() == ConnectionState.DEAUTHORIZED) {
            throw DeliveryFailure.permanent("connection " + connection.name() + " is DEAUTHORIZED"
                    + connection.stateReason().map(r -> ": " + r).orElse(""));
        }
        AuthParameters auth;
        try {
            auth = secrets.open(connection);
        } catch (SecretBox.WrongKeyException e) {
            // An operator error that a restart with the right key mends: keep the delivery.
            throw DeliveryFailure.retryable(
                    "cannot read the credentials of connection " + connection.name() + ": " + e.getMessage());
        }
        TargetHttpParameters target;
        try {
            target = TargetHttpParameters.of(delivery.delivery().attributes());
        } catch (JsonProcessingException e) {
            throw DeliveryFailure.permanent("unreadable HttpParameters attribute: " + e.getOriginalMessage());
        }
        HttpParameters invocation = auth.invocation();
        URI uri;
        try {
            uri = Invocations.uri(
                    destination.invocationEndpoint(),
                    target.pathParameterValues(),
                    Invocations.query(target.queryStringParameters(), invocation.query()));
        } catch (IllegalArgumentException e) {
            throw DeliveryFailure.permanent("cannot build the request URL: " + e.getMessage());
        }
        Map<String, String> headers = Invocations.headers(target.headerParameters(), invocation.headers());
        headers.put(DELIVERY_ID_HEADER, Long.toString(delivery.id()));
        String body = Invocations.body(delivery.delivery().payload(), invocation.body(), json);
        Optional<String> token = AuthHeaders.put(connection, auth, tokens, headers, Optional.empty());

        awaitRate(destination);
        int status = send(destination.httpMethod(), uri, headers, body);
        if ((status == 401 || status == 407) && token.isPresent()) {
            AuthHeaders.put(connection, auth, tokens, headers, token);
            status = send(destination.httpMethod(), uri, headers, body);
        }
        classify(status, uri);
    }

    private void awaitRate(ApiDestination destination) throws DeliveryFailure {
        try {
            if (!rates.acquire(destination.arn(), destination.rateLimitPerSecond(), RATE_WAIT)) {
                throw DeliveryFailure.retryable("InvocationRateLimitPerSecond (" + destination.rateLimitPerSecond()
                        + ") of " + destination.name() + " reached");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DeliveryFailure.retryable("interrupted while waiting for the rate limit", e);
        }
    }

    private int send(String method, URI uri, Map<String, String> headers, String body) throws DeliveryFailure {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .method(
                        method,
                        Invocations.hasBody(method)
                                ? HttpRequest.BodyPublishers.ofString(body)
                                : HttpRequest.BodyPublishers.noBody());
        try {
            headers.forEach(request::header);
        } catch (IllegalArgumentException e) {
            throw DeliveryFailure.permanent("invalid header for " + withoutQuery(uri) + ": " + e.getMessage());
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            throw DeliveryFailure.retryable(method + " " + withoutQuery(uri) + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DeliveryFailure.retryable("interrupted while calling " + withoutQuery(uri), e);
        }
    }

    private static void classify(int status, URI uri) throws DeliveryFailure {
        if (status / 100 == 2) {
            return;
        }
        String reason = "HTTP " + status + " from " + withoutQuery(uri);
        if (status == 401 || status == 407 || status == 409 || status == 429 || status >= 500) {
            throw DeliveryFailure.retryable(reason);
        }
        throw DeliveryFailure.permanent(reason);
    }

    /** For messages that reach logs and dead letters: query strings may carry secret parameters. */
    static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
