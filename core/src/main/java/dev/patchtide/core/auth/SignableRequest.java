package dev.patchtide.core.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An HTTP request as the signer sees it: the method, the path and query exactly as on the wire (still
 * percent-encoded; the query may be empty), the headers and the body bytes.
 *
 * <p>The headers are copied into an unmodifiable map that looks names up regardless of case; names that differ only
 * in case are merged, as a repeated header.
 */
public record SignableRequest(
        String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    public SignableRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(body, "body");
        headers = caseInsensitive(headers);
    }

    private static SortedMap<String, List<String>> caseInsensitive(Map<String, List<String>> headers) {
        SortedMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.merge(name, List.copyOf(values), (a, b) -> {
            List<String> both = new ArrayList<>(a);
            both.addAll(b);
            return List.copyOf(both);
        }));
        return Collections.unmodifiableSortedMap(copy);
    }
}
