package dev.patchtide.server.connections;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A rule target's {@code HttpParameters}, which travel with each delivery as the attribute
 * {@code HttpParameters} (JSON text in EventBridge's shape): values for the endpoint's {@code *} path
 * wildcards, extra headers and query string parameters.
 */
record TargetHttpParameters(
        List<String> pathParameterValues,
        Map<String, String> headerParameters,
        Map<String, String> queryStringParameters) {
    static final String ATTRIBUTE = "HttpParameters";
    private static final ObjectMapper JSON =
            ApiJson.mapper().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    TargetHttpParameters {
        pathParameterValues = pathParameterValues == null ? List.of() : List.copyOf(pathParameterValues);
        headerParameters = headerParameters == null ? Map.of() : Map.copyOf(headerParameters);
        queryStringParameters = queryStringParameters == null ? Map.of() : Map.copyOf(queryStringParameters);
    }

    static TargetHttpParameters of(Map<String, String> attributes) throws JsonProcessingException {
        Optional<String> text = Optional.ofNullable(attributes.get(ATTRIBUTE)).filter(s -> !s.isBlank());
        if (text.isEmpty()) {
            return new TargetHttpParameters(null, null, null);
        }
        return JSON.readValue(text.get(), TargetHttpParameters.class);
    }
}
