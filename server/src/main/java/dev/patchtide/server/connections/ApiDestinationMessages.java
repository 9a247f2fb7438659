package dev.patchtide.server.connections;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/** Request and response shapes of the API destination actions, as in EventBridge's service model. */
final class ApiDestinationMessages {
    private ApiDestinationMessages() {}

    static final Pattern CONNECTION_ARN = Pattern.compile(
            "^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:connection\\/[\\.\\-_A-Za-z0-9]+\\/[\\-A-Za-z0-9]+$");
    static final List<String> METHODS = List.of("POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE");
    /** EventBridge's default when none is given. */
    static final int DEFAULT_RATE = 300;

    record CreateApiDestinationRequest(
            String name,
            String description,
            String connectionArn,
            String invocationEndpoint,
            String httpMethod,
            Integer invocationRateLimitPerSecond)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            AuthRules.name(v, "name", name, true);
            v.required("connectionArn", connectionArn)
                    .required("invocationEndpoint", invocationEndpoint)
                    .required("httpMethod", httpMethod);
            common(v, description, connectionArn, invocationEndpoint, httpMethod, invocationRateLimitPerSecond);
        }
    }

    record UpdateApiDestinationRequest(
            String name,
            String description,
            String connectionArn,
            String invocationEndpoint,
            String httpMethod,
            Integer invocationRateLimitPerSecond)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            AuthRules.name(v, "name", name, true);
            common(v, description, connectionArn, invocationEndpoint, httpMethod, invocationRateLimitPerSecond);
        }
    }

    private static void common(
            Validation v, String description, String connectionArn, String endpoint, String method, Integer rate) {
        v.length("description", description, 0, 512)
                .length("connectionArn", connectionArn, 1, 1600)
                .pattern("connectionArn", connectionArn, CONNECTION_ARN)
                .oneOf("httpMethod", method, METHODS)
                .range("invocationRateLimitPerSecond", rate, 1, Integer.MAX_VALUE);
        AuthRules.endpoint(v, "invocationEndpoint", endpoint);
    }

    record NameRequest(String name) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            AuthRules.name(v, "name", name, true);
        }
    }

    record ListApiDestinationsRequest(String namePrefix, String connectionArn, String nextToken, Integer limit)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            AuthRules.name(v, "namePrefix", namePrefix, false);
            v.length("connectionArn", connectionArn, 1, 1600)
                    .pattern("connectionArn", connectionArn, CONNECTION_ARN)
                    .length("nextToken", nextToken, 1, 2048)
                    .range("limit", limit, 1, 100);
        }
    }

    record ApiDestinationChange(
            String apiDestinationArn, String apiDestinationState, Instant creationTime, Instant lastModifiedTime) {}

    /** Describe's answer and a list entry: the same members. */
    record ApiDestinationView(
            String apiDestinationArn,
            String name,
            String description,
            String apiDestinationState,
            String connectionArn,
            String invocationEndpoint,
            String httpMethod,
            Integer invocationRateLimitPerSecond,
            Instant creationTime,
            Instant lastModifiedTime) {}

    record ListApiDestinationsResult(List<ApiDestinationView> apiDestinations, String nextToken) {}

    record Empty() {}
}
