package dev.patchtide.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Writes the AWS query protocol's XML: a response tree (the action's response object as the JSON wire
 * would send it) laid out by the operation's output shape inside {@code <NameResponse><NameResult>}, and
 * {@code <ErrorResponse>}.
 */
final class QueryXml {
    private final StringBuilder xml = new StringBuilder(256);

    private QueryXml() {}

    static String response(QueryService service, QueryService.Operation operation, JsonNode result, String requestId) {
        QueryXml out = new QueryXml();
        String root = operation.name() + "Response";
        out.xml
                .append('<')
                .append(root)
                .append(" xmlns=\"")
                .append(escape(service.xmlNamespace()))
                .append("\">");
        operation.output().ifPresent(shape -> {
            out.open(operation.name() + "Result");
            out.structure(shape, result, operation.name());
            out.close(operation.name() + "Result");
        });
        out.open("ResponseMetadata");
        out.text("RequestId", requestId);
        out.close("ResponseMetadata");
        out.close(root);
        return out.xml.toString();
    }

    /** {@code Type} is {@code Sender} for the client's faults and {@code Receiver} for the server's. */
    static String error(String xmlNamespace, boolean senderFault, String code, String message, String requestId) {
        QueryXml out = new QueryXml();
        out.xml.append("<ErrorResponse");
        if (xmlNamespace != null) {
            out.xml.append(" xmlns=\"").append(escape(xmlNamespace)).append('"');
        }
        out.xml.append('>');
        out.open("Error");
        out.text("Type", senderFault ? "Sender" : "Receiver");
        out.text("Code", code);
        out.text("Message", message);
        out.close("Error");
        out.text("RequestId", requestId);
        out.close("ErrorResponse");
        return out.xml.toString();
    }

    private void structure(QueryShape.Structure shape, JsonNode node, String where) {
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String name = field.getKey();
            if (shape.members().stream().noneMatch(m -> m.name().equals(name))) {
                // The response record and the shape disagree: a bug here, not the caller's fault.
                throw new IllegalStateException("member " + name + " of " + where + " is not in its query shape");
            }
        }
        for (QueryShape.Member member : shape.members()) {
            JsonNode value = node.get(member.name());
            if (value != null && !value.isNull()) {
                element(member.name(), member.shape(), value, where + "." + member.name());
            }
        }
    }

    private void element(String name, QueryShape shape, JsonNode value, String where) {
        switch (shape) {
            case QueryShape.Scalar ignored -> text(name, value.asText());
            case QueryShape.Structure structure -> {
                open(name);
                structure(structure, value, where);
                close(name);
            }
            case QueryShape.ListOf list -> {
                open(name);
                for (JsonNode item : value) {
                    element("member", list.member(), item, where);
                }
                close(name);
            }
            case QueryShape.MapOf map -> {
                open(name);
                for (Map.Entry<String, JsonNode> entry : value.properties()) {
                    open("entry");
                    text(map.keyName(), entry.getKey());
                    element(map.valueName(), map.value(), entry.getValue(), where);
                    close("entry");
                }
                close(name);
            }
        }
    }

    private void open(String name) {
        xml.append('<').append(name).append('>');
    }

    private void close(String name) {
        xml.append("</").append(name).append('>');
    }

    private void text(String name, String value) {
        open(name);
        xml.append(escape(value));
        close(name);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                // Kept as a reference, or the parser would turn it into a line feed.
                case '\r' -> out.append("&#xD;");
                default -> {
                    // Other control characters cannot appear in XML 1.0 at all, not even as references.
                    boolean allowed = c >= 0x20 || c == '\n' || c == '\t';
                    out.append(allowed && c != 0xFFFE && c != 0xFFFF ? c : '\uFFFD');
                }
            }
        }
        return out.toString();
    }
}
