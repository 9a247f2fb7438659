package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.connections.ConnectionCalls.Param;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HTTP Task's {@code URL_ENCODED} request bodies and query parameters: an object becomes name=value pairs, a
 * nested object {@code a[b]=v}, and an array as {@code ArrayFormat} says (AWS's default {@code INDICES}:
 * {@code a[0]=x&a[1]=y}; {@code BRACKETS} {@code a[]=x&a[]=y}; {@code REPEAT} {@code a=x&a=y}; {@code COMMAS}
 * {@code a=x,y}).
 */
final class HttpForms {
    private HttpForms() {}

    static final List<String> ARRAY_FORMATS = List.of("BRACKETS", "COMMAS", "REPEAT", "INDICES");

    /** The pairs of {@code object}, in its order. */
    static List<Param> pairs(JsonNode object, String arrayFormat) {
        List<Param> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            add(out, field.getKey(), field.getValue(), arrayFormat);
        }
        return out;
    }

    private static void add(List<Param> out, String name, JsonNode value, String arrayFormat) {
        if (value.isObject()) {
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                add(out, name + "[" + field.getKey() + "]", field.getValue(), arrayFormat);
            }
        } else if (value.isArray()) {
            switch (arrayFormat) {
                case "COMMAS" -> {
                    List<String> items = new ArrayList<>();
                    value.forEach(item -> items.add(scalar(item)));
                    out.add(new Param(name, String.join(",", items)));
                }
                case "REPEAT" -> value.forEach(item -> add(out, name, item, arrayFormat));
                case "BRACKETS" -> value.forEach(item -> add(out, name + "[]", item, arrayFormat));
                default -> {
                    for (int i = 0; i < value.size(); i++) {
                        add(out, name + "[" + i + "]", value.get(i), arrayFormat);
                    }
                }
            }
        } else {
            out.add(new Param(name, scalar(value)));
        }
    }

    /** A value as text: a string as it is, anything else as its JSON (null as "null"). */
    static String scalar(JsonNode value) {
        return value.isTextual() ? value.asText() : value.toString();
    }

    static String encode(List<Param> pairs) {
        StringBuilder form = new StringBuilder();
        for (Param p : pairs) {
            if (!form.isEmpty()) {
                form.append('&');
            }
            form.append(URLEncoder.encode(p.key(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(p.value(), StandardCharsets.UTF_8));
        }
        return form.toString();
    }

    /** The reason phrase of a status, as the HTTP Task's {@code StatusText} gives it. */
    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 203 -> "Non-Authoritative Information";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 304 -> "Not Modified";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 411 -> "Length Required";
            case 412 -> "Precondition Failed";
            case 413 -> "Payload Too Large";
            case 415 -> "Unsupported Media Type";
            case 416 -> "Range Not Satisfiable";
            case 422 -> "Unprocessable Entity";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
    }
}
