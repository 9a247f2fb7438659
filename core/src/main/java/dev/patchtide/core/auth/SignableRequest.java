package dev.patchtide.core.auth;

import java.util.List;
import java.util.Map;

/**
 * An HTTP request as the signer sees it: the path and query exactly as on the wire, headers (names
 * compared case-insensitively; a header may repeat) and the body bytes.
 */
public record SignableRequest(
        String method, String path, String query, Map<String, List<String>> headers, byte[] body) {}
