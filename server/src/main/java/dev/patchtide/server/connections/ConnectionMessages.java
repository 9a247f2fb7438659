package dev.patchtide.server.connections;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;

/**
 * Request and response shapes of the connection actions, as in EventBridge's service model. The auth
 * records serve three purposes: what the caller sends, what is sealed at rest (whole), and what Describe
 * shows (with every secret value left out, so absent from the JSON).
 */
final class ConnectionMessages {
    private ConnectionMessages() {}

    /** A header, query string or body parameter; {@code IsValueSecret} values are never shown again. */
    record HttpParameter(String key, String value, @JsonProperty("IsValueSecret") Boolean isValueSecret) {
        boolean secret() {
            return Boolean.TRUE.equals(isValueSecret);
        }

        HttpParameter withoutSecret() {
            return secret() ? new HttpParameter(key, null, true) : this;
        }
    }

    record HttpParameters(
            List<HttpParameter> headerParameters,
            List<HttpParameter> queryStringParameters,
            List<HttpParameter> bodyParameters) {

        static final HttpParameters NONE = new HttpParameters(List.of(), List.of(), List.of());

        HttpParameters withoutSecrets() {
            return new HttpParameters(strip(headerParameters), strip(queryStringParameters), strip(bodyParameters));
        }

        List<HttpParameter> headers() {
            return headerParameters == null ? List.of() : headerParameters;
        }

        List<HttpParameter> query() {
            return queryStringParameters == null ? List.of() : queryStringParameters;
        }

        List<HttpParameter> body() {
            return bodyParameters == null ? List.of() : bodyParameters;
        }

        private static List<HttpParameter> strip(List<HttpParameter> list) {
            return list == null
                    ? null
                    : list.stream().map(HttpParameter::withoutSecret).toList();
        }
    }

    record BasicAuthParameters(String username, String password) {}

    record ApiKeyAuthParameters(String apiKeyName, String apiKeyValue) {}

    record OAuthClientParameters(@JsonProperty("ClientID") String clientId, String clientSecret) {}

    record OAuthParameters(
            OAuthClientParameters clientParameters,
            String authorizationEndpoint,
            String httpMethod,
            @JsonProperty("OAuthHttpParameters") HttpParameters oAuthHttpParameters) {}

    record ResourceConfiguration(String resourceConfigurationArn) {}

    record ConnectivityParameters(ResourceConfiguration resourceParameters) {}

    record AuthParameters(
            BasicAuthParameters basicAuthParameters,
            @JsonProperty("OAuthParameters") OAuthParameters oAuthParameters,
            ApiKeyAuthParameters apiKeyAuthParameters,
            HttpParameters invocationHttpParameters,
            ConnectivityParameters connectivityParameters) {

        static final AuthParameters EMPTY = new AuthParameters(null, null, null, null, null);

        /** What Describe shows: everything but passwords, key values, client secrets and secret parameters. */
        AuthParameters withoutSecrets() {
            return new AuthParameters(
                    basicAuthParameters == null ? null : new BasicAuthParameters(basicAuthParameters.username(), null),
                    oAuthParameters == null
                            ? null
                            : new OAuthParameters(
                                    oAuthParameters.clientParameters() == null
                                            ? null
                                            : new OAuthClientParameters(
                                                    oAuthParameters
                                                            .clientParameters()
                                                            .clientId(),
                                                    null),
                                    oAuthParameters.authorizationEndpoint(),
                                    oAuthParameters.httpMethod(),
                                    oAuthParameters.oAuthHttpParameters() == null
                                            ? null
                                            : oAuthParameters
                                                    .oAuthHttpParameters()
                                                    .withoutSecrets()),
                    apiKeyAuthParameters == null
                            ? null
                            : new ApiKeyAuthParameters(apiKeyAuthParameters.apiKeyName(), null),
                    invocationHttpParameters == null ? null : invocationHttpParameters.withoutSecrets(),
                    null);
        }

        HttpParameters invocation() {
            return invocationHttpParameters == null ? HttpParameters.NONE : invocationHttpParameters;
        }
    }

    record CreateConnectionRequest(
            String name,
            String description,
            String authorizationType,
            AuthParameters authParameters,
            ConnectivityParameters invocationConnectivityParameters,
            String kmsKeyIdentifier)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            AuthRules.name(v, "name", name, true);
            v.length("description", description, 0, 512);
            v.required("authorizationType", authorizationType)
                    .oneOf("authorizationType", authorizationType, AuthType.NAMES)
                    .required("authParameters", authParameters);
            AuthRules.unsupported(v, invocationConnectivityParameters, kmsKeyIdentifier);
            if (authParameters != null && authorizationType != null && AuthType.NAMES.contains(authorizationType)) {
                AuthRules.forCreate(v, AuthType.valueOf(authorizationType), authParameters);
            }
        }
    }

    record UpdateConnectionRequest(
            String name,
            String description,
            String authorizationType,
            AuthParameters authParameters,
            ConnectivityParameters invocationConnectivityParameters,
            String kmsKeyIdentifier)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            AuthRules.name(v, "name", name, true);
            v.length("description", description, 0, 512).oneOf("authorizationType", authorizationType, AuthType.NAMES);
            AuthRules.unsupported(v, invocationConnectivityParameters, kmsKeyIdentifier);
            if (authParameters != null) {
                AuthRules.forUpdate(v, authParameters);
            }
        }
    }

    record NameRequest(String name) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            AuthRules.name(v, "name", name, true);
        }
    }

    record ListConnectionsRequest(String namePrefix, String connectionState, String nextToken, Integer limit)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            AuthRules.name(v, "namePrefix", namePrefix, false);
            v.oneOf("connectionState", connectionState, ConnectionState.NAMES)
                    .length("nextToken", nextToken, 1, 2048)
                    .range("limit", limit, 1, 100);
        }
    }

    /** CreateConnection, UpdateConnection, DeleteConnection and DeauthorizeConnection all answer this. */
    record ConnectionChange(
            String connectionArn,
            String connectionState,
            Instant creationTime,
            Instant lastModifiedTime,
            Instant lastAuthorizedTime) {}

    record DescribeConnectionResult(
            String connectionArn,
            String name,
            String description,
            String connectionState,
            String stateReason,
            String authorizationType,
            AuthParameters authParameters,
            Instant creationTime,
            Instant lastModifiedTime,
            Instant lastAuthorizedTime) {}

    record ConnectionSummary(
            String connectionArn,
            String name,
            String connectionState,
            String stateReason,
            String authorizationType,
            Instant creationTime,
            Instant lastModifiedTime,
            Instant lastAuthorizedTime) {}

    record ListConnectionsResult(List<ConnectionSummary> connections, String nextToken) {}
}
