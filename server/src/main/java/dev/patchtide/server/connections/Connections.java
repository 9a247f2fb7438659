package dev.patchtide.server.connections;

import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.delivery.Deliverer;
import dev.patchtide.server.secrets.SecretBox;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * EventBridge connections and API destinations, and the {@code api-destination} deliverer that calls
 * them: the feature's one public entry, wired by the server.
 */
public final class Connections implements AutoCloseable {
    /** EventBridge gives an API destination call 5 seconds. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ConnectionApi connectionApi;
    private final ApiDestinationApi destinationApi;
    private final ApiDestinationDeliverer deliverer;
    private final ConnectionAuthorizer authorizer;
    private final ConnectionCalls calls;

    /**
     * @throws IllegalStateException when stored secrets were sealed with another server key, naming the
     *     setting, so a server never runs half-blind
     */
    public Connections(Jdbi jdbi, SecretBox box, InstantSource clock, String region, String accountId) {
        ConnectionStore store = new ConnectionStore(ApiJson.mapper());
        ConnectionSecrets secrets = new ConnectionSecrets(box, ApiJson.mapper());
        List<String> others = jdbi.withHandle(h -> store.otherKeys(h, box.keyId()));
        if (!others.isEmpty()) {
            throw new IllegalStateException("Connection " + secrets.mismatch(others.getFirst()));
        }
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        OAuthTokens tokens = new OAuthTokens(http, clock, TIMEOUT, jdbi, store);
        this.authorizer = new ConnectionAuthorizer(jdbi, store, secrets, tokens, clock);
        this.connectionApi = new ConnectionApi(jdbi, store, secrets, clock, region, accountId, authorizer::wake);
        this.destinationApi = new ApiDestinationApi(jdbi, store, clock, region, accountId);
        this.deliverer = new ApiDestinationDeliverer(
                jdbi, store, secrets, http, TIMEOUT, tokens, new RateLimiter(System::nanoTime));
        this.calls = new ConnectionCalls(jdbi, store, secrets, tokens);
    }

    /** Calls through connections for workflows (HTTP Tasks, Lambda functions mapped to API destinations). */
    public ConnectionCalls calls() {
        return calls;
    }

    public void routes(ApiRouter router) {
        connectionApi.routes(router);
        destinationApi.routes(router);
    }

    /** The deliverer of kind {@code api-destination}, to register on the delivery worker. */
    public Deliverer deliverer() {
        return deliverer;
    }

    /**
     * Starts the background authorizer: it finishes AUTHORIZING connections, also those a stopped server
     * left behind. Stop it with {@link #close()}.
     */
    public Connections start() {
        authorizer.start();
        return this;
    }

    /** Look for connections to authorize now rather than at the next poll (a test moved the clock). */
    public void wake() {
        authorizer.wake();
    }

    @Override
    public void close() {
        authorizer.close();
    }
}
