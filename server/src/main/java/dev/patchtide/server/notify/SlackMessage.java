package dev.patchtide.server.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.notify.RenderedMessage.Fact;
import dev.patchtide.server.notify.RenderedMessage.InstanceLine;

/**
 * The body the {@code slack} protocol posts to a Slack incoming-webhook URL: a Block Kit message (header,
 * text, facts as fields, one section per instance linking to its dashboard page, a button, a context line).
 */
final class SlackMessage {
    private static final ObjectMapper JSON = ApiJson.documents();
    // Block Kit limits: header 150 chars, section text 3000, 10 fields, 50 blocks.
    private static final int MAX_INSTANCES = 40;

    private SlackMessage() {}

    static ObjectNode body(Notification n, RenderedMessage m) {
        ObjectNode body = JSON.createObjectNode().put("text", cut(m.title(), 3000));
        ArrayNode blocks = body.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text")
                .put("type", "plain_text")
                .put("text", cut(m.title(), 150))
                .put("emoji", true);
        if (!m.text().isBlank()) {
            section(blocks, m.text());
        }
        if (!m.facts().isEmpty()) {
            ArrayNode fields = blocks.addObject().put("type", "section").putArray("fields");
            for (Fact fact : m.facts().subList(0, Math.min(10, m.facts().size()))) {
                fields.addObject()
                        .put("type", "mrkdwn")
                        .put("text", cut("*" + escape(fact.name()) + "*\n" + escape(fact.value()), 2000));
            }
        }
        int shown = Math.min(MAX_INSTANCES, m.instances().size());
        for (InstanceLine line : m.instances().subList(0, shown)) {
            String summary = line.summary();
            section(
                    blocks,
                    "*<" + line.dashboardUrl() + "|" + escape(line.label()) + ">*"
                            + (summary.isEmpty() ? "" : "\n" + escape(summary)));
        }
        if (shown < m.instances().size()) {
            section(blocks, "… and " + (m.instances().size() - shown) + " more instances");
        }
        m.link().ifPresent(link -> {
            ObjectNode button = blocks.addObject()
                    .put("type", "actions")
                    .putArray("elements")
                    .addObject();
            button.put("type", "button").put("url", link).put("action_id", "open-dashboard");
            button.putObject("text").put("type", "plain_text").put("text", "Open dashboard");
        });
        blocks.addObject()
                .put("type", "context")
                .putArray("elements")
                .addObject()
                .put("type", "mrkdwn")
                .put(
                        "text",
                        "Topic " + escape(SnsArns.nameOf(n.topicArn()).orElse(n.topicArn())) + " · message "
                                + n.messageId());
        return body;
    }

    private static void section(ArrayNode blocks, String mrkdwn) {
        blocks.addObject()
                .put("type", "section")
                .putObject("text")
                .put("type", "mrkdwn")
                .put("text", cut(mrkdwn, 3000));
    }

    /** Slack's mrkdwn treats &, < and > as control characters. */
    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
