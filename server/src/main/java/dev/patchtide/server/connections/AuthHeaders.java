package dev.patchtide.server.connections;

import dev.patchtide.server.connections.ConnectionMessages.AuthParameters;
import dev.patchtide.server.delivery.DeliveryFailure;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** The headers a connection's authorization adds to a call, for API destinations and HTTP Tasks alike. */
final class AuthHeaders {
    private AuthHeaders() {}

    /**
     * Sets the authorization header of {@code connection}; for OAuth returns the token used. With {@code refused}
     * (a token the endpoint answered 401 or 407 to) a fresh token is fetched instead of the cached one.
     */
    static Optional<String> put(
            Connection connection,
            AuthParameters auth,
            OAuthTokens tokens,
            Map<String, String> headers,
            Optional<String> refused)
            throws DeliveryFailure {
        switch (connection.type()) {
            case BASIC -> {
                String pair = auth.basicAuthParameters().username() + ":"
                        + auth.basicAuthParameters().password();
                headers.put(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            }
            case API_KEY ->
                headers.put(
                        auth.apiKeyAuthParameters().apiKeyName(),
                        auth.apiKeyAuthParameters().apiKeyValue());
            case OAUTH_CLIENT_CREDENTIALS -> {
                String token = refused.isPresent()
                        ? tokens.refresh(connection, auth.oAuthParameters(), refused.get())
                        : tokens.token(connection, auth.oAuthParameters());
                headers.put("Authorization", "Bearer " + token);
                return Optional.of(token);
            }
            case NONE -> {
                // Patchtide's unauthenticated connections add nothing.
            }
        }
        return Optional.empty();
    }
}
