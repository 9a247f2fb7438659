package dev.patchtide.server.connections;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.connections.ConnectionMessages.HttpParameter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How an API destination call is put together from the destination, its connection and the target's
 * parameters. Where both set the same header, query or body key, the connection wins (as EventBridge
 * documents it), and the authorization header wins over both.
 */
final class Invocations {
    private Invocations() {}

    // HttpClient sets these itself and refuses them from callers.
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    /** The endpoint with each {@code *} replaced by the next path value (URL-encoded), plus query parameters. */
    static URI uri(String endpoint, List<String> pathValues, Map<String, String> query) {
        StringBuilder url = new StringBuilder();
        int next = 0;
        for (char c : endpoint.toCharArray()) {
            if (c == '*') {
                if (next >= pathValues.size()) {
                    throw new IllegalArgumentException("the endpoint " + endpoint + " has more * wildcards than the"
                            + " target's PathParameterValues (" + pathValues.size() + ")");
                }
                url.append(encode(pathValues.get(next++)).replace("+", "%20"));
            } else {
                url.append(c);
            }
        }
        if (!query.isEmpty()) {
            url.append(url.indexOf("?") >= 0 ? (url.charAt(url.length() - 1) == '?' ? "" : "&") : "?");
            StringBuilder q = new StringBuilder();
            query.forEach((k, v) -> q.append(q.isEmpty() ? "" : "&")
                    .append(encode(k))
                    .append('=')
                    .append(encode(v)));
            url.append(q);
        }
        return URI.create(url.toString());
    }

    /** Query parameters sorted by name, so the same call always has the same URL whatever map order came in. */
    static Map<String, String> query(Map<String, String> target, List<HttpParameter> connection) {
        Map<String, String> merged = new TreeMap<>(target);
        connection.forEach(p -> merged.put(p.key(), p.value()));
        return merged;
    }

    /** Headers by case-insensitive name: defaults, then the target's, then the connection's. */
    static Map<String, String> headers(Map<String, String> target, List<HttpParameter> connection) {
        Map<String, String> merged = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        merged.put("Content-Type", "application/json; charset=utf-8");
        merged.put("User-Agent", "Patchtide/ApiDestinations");
        target.forEach(merged::put);
        connection.forEach(p -> merged.put(p.key(), p.value()));
        merged.keySet().removeIf(name -> RESTRICTED.contains(name.toLowerCase(Locale.ROOT)));
        return merged;
    }

    /** The payload, with the connection's body parameters added when it is a JSON object. */
    static String body(String payload, List<HttpParameter> connection, ObjectMapper json) {
        if (connection.isEmpty()) {
            return payload;
        }
        try {
            JsonNode node = json.readTree(payload);
            if (node instanceof ObjectNode object) {
                connection.forEach(p -> object.put(p.key(), p.value()));
                return json.writeValueAsString(object);
            }
        } catch (JsonProcessingException notJson) {
            // Sent as it is: body parameters only apply to JSON objects.
        }
        return payload;
    }

    /** Methods that carry the event as their body. */
    static boolean hasBody(String method) {
        return !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
    }

    static String form(List<HttpParameter> params) {
        StringBuilder form = new StringBuilder();
        params.forEach(p -> form.append(form.isEmpty() ? "" : "&")
                .append(encode(p.key()))
                .append('=')
                .append(encode(p.value())));
        return form.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
