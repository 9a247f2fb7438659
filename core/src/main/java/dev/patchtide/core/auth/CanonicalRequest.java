package dev.patchtide.core.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The canonical request of Signature V4 for services other than S3, computed as botocore (the AWS CLI) and the AWS
 * SDK for Java v2 compute it, so that requests from either verify.
 */
final class CanonicalRequest {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private CanonicalRequest() {}

    /** {@code bodyHash}: the lower-case hex SHA-256 of the request's body. */
    static String of(SignableRequest request, List<String> signedHeaders, String bodyHash) {
        StringBuilder out = new StringBuilder(512);
        out.append(request.method()).append('\n');
        out.append(canonicalUri(request.path())).append('\n');
        out.append(canonicalQuery(request.query())).append('\n');
        Map<String, List<String>> headers = request.headers();
        for (String name : signedHeaders) {
            out.append(name).append(':').append(headerValue(headers.getOrDefault(name, List.of())));
            out.append('\n');
        }
        out.append('\n');
        out.append(String.join(";", signedHeaders)).append('\n');
        out.append(bodyHash);
        return out.toString();
    }

    /**
     * The path as received, with dot segments resolved and empty ones dropped (both SDKs normalise so), then each
     * segment percent-encoded once more: "/a%20b" becomes "/a%2520b". The trailing slash stays only if it was sent.
     */
    static String canonicalUri(String path) {
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.equals("..")) {
                segments.pollLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                segments.addLast(segment);
            }
        }
        StringBuilder out = new StringBuilder(path.length() + 16);
        for (String segment : segments) {
            out.append('/').append(encode(segment));
        }
        if (segments.isEmpty() || path.endsWith("/")) {
            out.append('/');
        }
        return out.toString();
    }

    /**
     * Parameters decoded, then re-encoded with the RFC 3986 unreserved set and sorted by name, then value. Decoding
     * first makes the wire's own choices (lower-case hex, an encoded '~') irrelevant.
     */
    static String canonicalQuery(String query) {
        List<String[]> params = new ArrayList<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.add(new String[] {encode(decode(name)), encode(decode(value))});
        }
        params.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
        StringBuilder out = new StringBuilder(query.length() + 16);
        for (String[] p : params) {
            out.append(out.isEmpty() ? "" : "&").append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /** Each value trimmed, inner runs of whitespace collapsed to one space; repeated headers joined by ','. */
    static String headerValue(List<String> values) {
        if (values.size() == 1) {
            return collapse(values.getFirst());
        }
        StringBuilder out = new StringBuilder(64);
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(collapse(values.get(i)));
        }
        return out.toString();
    }

    /**
     * One value trimmed of ASCII whitespace ([ \t\n\x0B\f\r], the set the AWS SDK for Java v2 collapses) with each
     * inner run of it made one space. By hand rather than by regex: every header of every signed request, on both
     * ends, passes here, and almost every value is already canonical, so it is returned as it is.
     */
    static String collapse(String value) {
        int length = value.length();
        if (isCanonical(value)) {
            return value;
        }
        StringBuilder out = new StringBuilder(length);
        boolean pendingSpace = false;
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (isWhitespace(c)) {
                pendingSpace = !out.isEmpty();
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    /** No whitespace at either end, and none inside but single spaces. */
    private static boolean isCanonical(String value) {
        int length = value.length();
        if (length == 0) {
            return true;
        }
        if (isWhitespace(value.charAt(0)) || isWhitespace(value.charAt(length - 1))) {
            return false;
        }
        for (int i = 1; i < length - 1; i++) {
            char c = value.charAt(i);
            if (isWhitespace(c) && (c != ' ' || value.charAt(i + 1) == ' ')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters, over UTF-8. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-_.~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return out.toString();
    }

    /** Percent-decoding that leaves a malformed escape as it is, rather than rejecting the request here. */
    private static String decode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            int hi = c == '%' && i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(value.charAt(i + 2), 16) : -1;
            if (lo >= 0) {
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
                bytes.writeBytes(value.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
