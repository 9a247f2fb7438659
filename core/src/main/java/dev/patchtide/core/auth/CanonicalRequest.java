package dev.patchtide.core.auth;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The canonical request of Signature V4, for services other than S3 (whose paths are encoded twice). */
final class CanonicalRequest {
    private CanonicalRequest() {}

    static String of(SignableRequest request, List<String> signedHeaders) {
        StringBuilder out = new StringBuilder();
        out.append(request.method()).append('\n');
        out.append(canonicalUri(request.path())).append('\n');
        out.append(canonicalQuery(request.query())).append('\n');
        Map<String, List<String>> headers = request.headers();
        for (String name : signedHeaders) {
            List<String> values = headers.getOrDefault(name, List.of());
            List<String> cleaned = new ArrayList<>();
            for (String v : values) {
                cleaned.add(v.strip().replaceAll(" +", " "));
            }
            out.append(name).append(':').append(String.join(",", cleaned)).append('\n');
        }
        out.append('\n');
        out.append(String.join(";", signedHeaders)).append('\n');
        out.append(SigV4.hex(SigV4.sha256(request.body())));
        return out.toString();
    }

    /** The path as sent is encoded once more, segment by segment, as the SDKs do for non-S3 services. */
    static String canonicalUri(String path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder();
        for (char c : path.toCharArray()) {
            out.append(c == '/' ? "/" : encode(String.valueOf(c)));
        }
        return out.toString();
    }

    static String canonicalQuery(String query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
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
        List<String> joined = new ArrayList<>();
        for (String[] p : params) {
            joined.add(p[0] + "=" + p[1]);
        }
        return String.join("&", joined);
    }

    /** RFC 3986 percent-encoding of everything but the unreserved characters. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-_.~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static String decode(String value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length() && isHex(value.charAt(i + 1)) && isHex(value.charAt(i + 2))) {
                bytes.write(Integer.parseInt(value.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0;
    }
}
