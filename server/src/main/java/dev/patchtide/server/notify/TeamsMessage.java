package dev.patchtide.server.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.notify.RenderedMessage.Fact;
import dev.patchtide.server.notify.RenderedMessage.InstanceLine;

/**
 * The body the {@code teams} protocol posts to a Microsoft Teams Workflows webhook ("When a Teams webhook
 * request is received"): a message with one Adaptive Card attachment (the retired Office 365 connectors'
 * MessageCard is not used).
 */
final class TeamsMessage {
    static final String CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
    private static final ObjectMapper JSON = ApiJson.documents();
    private static final int MAX_INSTANCES = 50;

    private TeamsMessage() {}

    static ObjectNode body(Notification n, RenderedMessage m) {
        ObjectNode message = JSON.createObjectNode().put("type", "message");
        ObjectNode attachment = message.putArray("attachments").addObject();
        attachment.put("contentType", CARD_CONTENT_TYPE).putNull("contentUrl");
        ObjectNode card = attachment
                .putObject("content")
                .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
                .put("type", "AdaptiveCard")
                .put("version", "1.4");
        ArrayNode body = card.putArray("body");
        body.addObject()
                .put("type", "TextBlock")
                .put("text", m.title())
                .put("weight", "Bolder")
                .put("size", "Medium")
                .put("wrap", true);
        if (!m.text().isBlank()) {
            body.addObject().put("type", "TextBlock").put("text", m.text()).put("wrap", true);
        }
        if (!m.facts().isEmpty()) {
            ArrayNode facts = body.addObject().put("type", "FactSet").putArray("facts");
            for (Fact fact : m.facts()) {
                facts.addObject().put("title", fact.name()).put("value", fact.value());
            }
        }
        int shown = Math.min(MAX_INSTANCES, m.instances().size());
        for (InstanceLine line : m.instances().subList(0, shown)) {
            String summary = line.summary();
            body.addObject()
                    .put("type", "TextBlock")
                    .put(
                            "text",
                            "[" + line.label() + "](" + line.dashboardUrl() + ")"
                                    + (summary.isEmpty() ? "" : ": " + summary))
                    .put("wrap", true);
        }
        if (shown < m.instances().size()) {
            body.addObject()
                    .put("type", "TextBlock")
                    .put("text", "… and " + (m.instances().size() - shown) + " more instances")
                    .put("wrap", true);
        }
        body.addObject()
                .put("type", "TextBlock")
                .put(
                        "text",
                        "Topic " + SnsArns.nameOf(n.topicArn()).orElse(n.topicArn()) + " · message " + n.messageId())
                .put("isSubtle", true)
                .put("size", "Small")
                .put("wrap", true);
        m.link().ifPresent(link -> card.putArray("actions")
                .addObject()
                .put("type", "Action.OpenUrl")
                .put("title", "Open dashboard")
                .put("url", link));
        card.putObject("msteams").put("width", "Full");
        return message;
    }
}
