package dev.patchtide.server.connections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.connections.ConnectionMessages.HttpParameter;
import dev.patchtide.server.connections.ConnectionMessages.HttpParameters;
import dev.patchtide.server.connections.ConnectionMessages.OAuthParameters;
import dev.patchtide.server.delivery.DeliveryFailure;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth client credentials for connections: asks the connection's authorization endpoint for an access
 * token (client id and secret in a Basic header as RFC 6749 prefers, the connection's OAuth header, query
 * and body parameters added, the body form-encoded), keeps it in memory until shortly before it expires,
 * and fetches a new one when a call was refused with 401/407. Records the outcome on the connection
 * (AUTHORIZED, or DEAUTHORIZED with the reason when the endpoint refuses the client).
 */
final class OAuthTokens {
    private static final Logger log = LoggerFactory.getLogger(OAuthTokens.class);
    private static final Duration EARLY = Duration.ofSeconds(30);
    private static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    private record Token(String value, Instant expiresAt) {}

    private final HttpClient http;
    private final InstantSource clock;
    private final Duration timeout;
    private final Jdbi jdbi;
    private final ConnectionStore store;
    private final ObjectMapper json = ApiJson.documents();
    private final Map<String, Token> cache = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    OAuthTokens(HttpClient http, InstantSource clock, Duration timeout, Jdbi jdbi, ConnectionStore store) {
        this.http = http;
        this.clock = clock;
        this.timeout = timeout;
        this.jdbi = jdbi;
        this.store = store;
    }

    /** A valid token: the cached one unless it is about to expire, else a fresh one. */
    String token(Connection c, OAuthParameters oauth) throws DeliveryFailure {
        return obtain(c, oauth, Optional.empty());
    }

    /** A new token, unless another call already replaced {@code refused} meanwhile. */
    String refresh(Connection c, OAuthParameters oauth, String refused) throws DeliveryFailure {
        return obtain(c, oauth, Optional.of(refused));
    }

    private String obtain(Connection c, OAuthParameters oauth, Optional<String> refused) throws DeliveryFailure {
        // Keyed by the connection's version too: after UpdateConnection no node reuses an old token.
        String key = c.arn() + "@" + c.modifiedAt();
        ReentrantLock lock = locks.computeIfAbsent(c.arn(), k -> new ReentrantLock());
        lock.lock();
        try {
            Token cached = cache.get(key);
            boolean usable = cached != null
                    && clock.instant().isBefore(cached.expiresAt().minus(EARLY))
                    && !refused.map(cached.value()::equals).orElse(false);
            if (usable) {
                return cached.value();
            }
            Token fresh = fetch(c, oauth);
            cache.keySet().removeIf(k -> k.startsWith(c.arn() + "@"));
            cache.put(key, fresh);
            return fresh.value();
        } finally {
            lock.unlock();
        }
    }

    private Token fetch(Connection c, OAuthParameters oauth) throws DeliveryFailure {
        HttpParameters extra = oauth.oAuthHttpParameters() == null ? HttpParameters.NONE : oauth.oAuthHttpParameters();
        List<HttpParameter> form = new ArrayList<>(extra.body());
        if (form.stream().noneMatch(p -> p.key().equals("grant_type"))) {
            form.addFirst(new HttpParameter("grant_type", "client_credentials", false));
        }
        boolean hasBody = !oauth.httpMethod().equals("GET");
        Map<String, String> query = Invocations.query(Map.of(), extra.query());
        if (!hasBody) {
            form.forEach(p -> query.put(p.key(), p.value()));
        }
        URI uri = Invocations.uri(oauth.authorizationEndpoint(), List.of(), query);
        String basic = oauth.clientParameters().clientId() + ":"
                + oauth.clientParameters().clientSecret();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .method(
                        oauth.httpMethod(),
                        hasBody
                                ? HttpRequest.BodyPublishers.ofString(Invocations.form(form))
                                : HttpRequest.BodyPublishers.noBody());
        Map<String, String> headers = Invocations.headers(Map.of(), extra.headers());
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        headers.put("Accept", "application/json");
        headers.put(
                "Authorization", "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw DeliveryFailure.retryable(
                    "OAuth token endpoint " + ApiDestinationDeliverer.withoutQuery(uri) + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DeliveryFailure.retryable("interrupted while fetching an OAuth token", e);
        }
        int status = response.statusCode();
        if (status == 429 || status >= 500) {
            throw DeliveryFailure.retryable("OAuth token endpoint answered HTTP " + status);
        }
        if (status / 100 != 2) {
            String reason = "OAuth token endpoint refused the client: HTTP " + status;
            record(c, ConnectionState.DEAUTHORIZED, Optional.of(reason));
            throw DeliveryFailure.permanent(reason);
        }
        Token token = parse(response.body());
        record(c, ConnectionState.AUTHORIZED, Optional.empty());
        return token;
    }

    private Token parse(String body) throws DeliveryFailure {
        try {
            JsonNode node = json.readTree(body);
            String value = node.path("access_token").asText("");
            if (value.isEmpty()) {
                throw DeliveryFailure.permanent("OAuth token endpoint answered without an access_token");
            }
            long seconds = node.path("expires_in").asLong(DEFAULT_LIFETIME.toSeconds());
            return new Token(value, clock.instant().plusSeconds(seconds));
        } catch (IOException e) {
            throw DeliveryFailure.permanent("OAuth token endpoint answered something else than JSON");
        }
    }

    private void record(Connection c, ConnectionState state, Optional<String> reason) {
        try {
            jdbi.useHandle(h -> store.authorized(h, c, state, reason, clock.instant()));
        } catch (RuntimeException e) {
            log.warn("could not record the authorization state of {}", c.arn(), e);
        }
    }
}
