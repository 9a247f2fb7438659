package dev.patchtide.server.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Reads one HTTP/1.1 response from a socket, for tests that frame requests by hand (chunked, lying lengths). */
final class RawHttp {
    private RawHttp() {}

    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The status line only: lets a test note when the answer came, before reading the rest. */
    static int readStatus(InputStream in) throws IOException {
        String line = readLine(in);
        if (!line.startsWith("HTTP/1.1 ")) {
            throw new IOException("not an HTTP response: " + line);
        }
        return Integer.parseInt(line.substring(9, 12));
    }

    /** Headers and body after {@link #readStatus}. */
    static Response readRest(int status, InputStream in) throws IOException {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(
                    line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("Transfer-Encoding", ""))) {
            for (int size = Integer.parseInt(readLine(in).trim(), 16); size > 0; ) {
                body.write(in.readNBytes(size));
                readLine(in);
                size = Integer.parseInt(readLine(in).trim(), 16);
            }
        } else if (headers.containsKey("Content-Length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("Content-Length"))));
        }
        return new Response(status, headers, body.toByteArray());
    }

    /** Host is 127.0.0.1:port, as a signer must have signed it; {@code extra} adds other headers (a signature). */
    static byte[] head(int port, String target, String framing, Map<String, String> extra) {
        StringBuilder head = new StringBuilder("POST / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n")
                .append("Content-Type: application/x-amz-json-1.1\r\n")
                .append("X-Amz-Target: ")
                .append(target)
                .append("\r\n")
                .append(framing)
                .append("\r\n");
        extra.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.equals("host") && !lower.equals("content-type") && !lower.equals("x-amz-target")) {
                head.append(name).append(": ").append(value).append("\r\n");
            }
        });
        return head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] chunk(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(data);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed mid-line: " + line);
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
