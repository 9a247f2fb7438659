package dev.patchtide.server.connections;

import dev.patchtide.server.connections.ConnectionMessages.ApiKeyAuthParameters;
import dev.patchtide.server.connections.ConnectionMessages.AuthParameters;
import dev.patchtide.server.connections.ConnectionMessages.BasicAuthParameters;
import dev.patchtide.server.connections.ConnectionMessages.OAuthClientParameters;
import dev.patchtide.server.connections.ConnectionMessages.OAuthParameters;

/**
 * UpdateConnection's merge: members sent replace the stored ones one by one (so a new password alone
 * keeps the username), lists of parameters are replaced whole, and only the parameters of the resulting
 * authorization type are kept.
 */
final class AuthMerge {
    private AuthMerge() {}

    static AuthParameters merge(AuthParameters old, AuthParameters change, AuthType type) {
        AuthParameters merged = new AuthParameters(
                basic(old.basicAuthParameters(), change.basicAuthParameters()),
                oauth(old.oAuthParameters(), change.oAuthParameters()),
                apiKey(old.apiKeyAuthParameters(), change.apiKeyAuthParameters()),
                change.invocationHttpParameters() != null
                        ? change.invocationHttpParameters()
                        : old.invocationHttpParameters(),
                null);
        return onlyOf(merged, type);
    }

    /** Drops the parameters that belong to other authorization types. */
    static AuthParameters onlyOf(AuthParameters p, AuthType type) {
        return new AuthParameters(
                type == AuthType.BASIC ? p.basicAuthParameters() : null,
                type == AuthType.OAUTH_CLIENT_CREDENTIALS ? p.oAuthParameters() : null,
                type == AuthType.API_KEY ? p.apiKeyAuthParameters() : null,
                p.invocationHttpParameters(),
                null);
    }

    private static BasicAuthParameters basic(BasicAuthParameters old, BasicAuthParameters change) {
        if (change == null) {
            return old;
        }
        return old == null
                ? change
                : new BasicAuthParameters(or(change.username(), old.username()), or(change.password(), old.password()));
    }

    private static ApiKeyAuthParameters apiKey(ApiKeyAuthParameters old, ApiKeyAuthParameters change) {
        if (change == null) {
            return old;
        }
        return old == null
                ? change
                : new ApiKeyAuthParameters(
                        or(change.apiKeyName(), old.apiKeyName()), or(change.apiKeyValue(), old.apiKeyValue()));
    }

    private static OAuthParameters oauth(OAuthParameters old, OAuthParameters change) {
        if (change == null) {
            return old;
        }
        if (old == null) {
            return change;
        }
        OAuthClientParameters client = change.clientParameters() == null
                ? old.clientParameters()
                : old.clientParameters() == null
                        ? change.clientParameters()
                        : new OAuthClientParameters(
                                or(
                                        change.clientParameters().clientId(),
                                        old.clientParameters().clientId()),
                                or(
                                        change.clientParameters().clientSecret(),
                                        old.clientParameters().clientSecret()));
        return new OAuthParameters(
                client,
                or(change.authorizationEndpoint(), old.authorizationEndpoint()),
                or(change.httpMethod(), old.httpMethod()),
                change.oAuthHttpParameters() != null ? change.oAuthHttpParameters() : old.oAuthHttpParameters());
    }

    private static <T> T or(T preferred, T fallback) {
        return preferred != null ? preferred : fallback;
    }
}
