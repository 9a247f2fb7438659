package dev.patchtide.server.connections;

import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.delivery.Deliverer;
import dev.patchtide.server.delivery.DeliveryFailure;
import dev.patchtide.server.secrets.SecretBox;
import dev.patchtide.server.secrets.ServerKey;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EventBridge connections and API destinations, and the {@code api-destination} deliverer that calls
 * them: the feature's one public entry, wired by the server.
 */
public final class Connections {
    private static final Logger log = LoggerFactory.getLogger(Connections.class);
    /** EventBridge gives an API destination call 5 seconds. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Jdbi jdbi;
    private final ConnectionStore store;
    private final ConnectionSecrets secrets;
    private final ConnectionApi connectionApi;
    private final ApiDestinationApi destinationApi;
    private final OAuthTokens tokens;
    private final ApiDestinationDeliverer deliverer;

    /**
     * @throws IllegalStateException when stored secrets were sealed with another server key, naming the
     *     setting, so a server never runs half-blind
     */
    public Connections(Jdbi jdbi, ServerKey key, InstantSource clock, String region, String accountId) {
        this.jdbi = jdbi;
        this.store = new ConnectionStore(ApiJson.mapper());
        this.secrets = new ConnectionSecrets(new SecretBox(key), ApiJson.mapper());
        List<String> others = jdbi.withHandle(h -> store.otherKeys(h, key.id()));
        if (!others.isEmpty()) {
            throw new IllegalStateException("Connection " + secrets.mismatch(others.getFirst()));
        }
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.tokens = new OAuthTokens(http, clock, TIMEOUT, jdbi, store);
        this.connectionApi = new ConnectionApi(jdbi, store, secrets, clock, region, accountId, this::authorizeSoon);
        this.destinationApi = new ApiDestinationApi(jdbi, store, clock, region, accountId);
        this.deliverer = new ApiDestinationDeliverer(
                jdbi, store, secrets, http, TIMEOUT, tokens, new RateLimiter(System::nanoTime));
    }

    public void routes(ApiRouter router) {
        connectionApi.routes(router);
        destinationApi.routes(router);
    }

    /** The deliverer of kind {@code api-destination}, to register on the delivery worker. */
    public Deliverer deliverer() {
        return deliverer;
    }

    /** Fetches an OAuth connection's first token off the request thread, as EventBridge authorizes after create. */
    private void authorizeSoon(String arn) {
        Thread.ofVirtual().name("oauth-authorize").start(() -> {
            try {
                var connection = jdbi.withHandle(h -> store.byArn(h, arn));
                if (connection.isPresent() && connection.get().type() == AuthType.OAUTH_CLIENT_CREDENTIALS) {
                    tokens.token(
                            connection.get(), secrets.open(connection.get()).oAuthParameters());
                }
            } catch (DeliveryFailure | RuntimeException e) {
                log.info("connection {} not authorized yet: {}", arn, e.getMessage());
            }
        });
    }
}
