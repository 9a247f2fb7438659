package dev.patchtide.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.notify.RenderedMessage.Fact;
import dev.patchtide.server.notify.RenderedMessage.InstanceLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Run Command's status messages made readable: the SNS message a command's NotificationConfig publishes
 * ({@code commandId}, {@code documentName}, {@code instanceIds} or {@code instanceId}, {@code status}, ...) and
 * the titles of its two bus events. The title says what people look for first: "Command AWS-RunPatchBaseline on
 * web-1 (mi-…): Failed".
 */
final class CommandNotice {
    static final String COMMAND_EVENT = "EC2 Command Status-change Notification";
    static final String INVOCATION_EVENT = "EC2 Command Invocation Status-change Notification";

    private CommandNotice() {}

    /** Whether a JSON message is one of Run Command's SNS messages (a command summary or an invocation). */
    static boolean recognises(JsonNode message) {
        return message.path("commandId").isTextual()
                && message.path("documentName").isTextual()
                && message.path("status").isTextual()
                && (message.path("instanceIds").isArray()
                        || message.path("instanceId").isTextual());
    }

    static RenderedMessage render(JsonNode message, Notification notification, InstanceFacts facts, Links links) {
        boolean invocation = message.path("instanceId").isTextual();
        List<String> ids = new ArrayList<>();
        if (invocation) {
            ids.add(message.path("instanceId").asText());
        } else {
            message.path("instanceIds").forEach(id -> ids.add(id.asText()));
        }
        String status = message.path("status").asText();
        String document = message.path("documentName").asText();
        String commandId = message.path("commandId").asText();
        Map<String, InstanceFacts.Known> known = facts.lookup(ids);
        List<InstanceLine> lines = new ArrayList<>();
        for (String id : ids) {
            InstanceFacts.Known k = known.get(id);
            lines.add(new InstanceLine(
                    id,
                    k == null ? "" : k.name(),
                    // A command summary's status is the command's, not each instance's.
                    invocation ? Optional.of(status) : Optional.empty(),
                    Optional.empty(),
                    k == null ? Optional.empty() : k.counts(),
                    links.instance(id)));
        }
        String title = notification.subject().orElseGet(() -> title(document, status, lines));
        String when = message.path("eventTime").isTextual()
                ? " at " + message.path("eventTime").asText()
                : "";
        String text = "Run Command: command " + commandId + " (" + document + ")"
                + (invocation ? " on " + lines.getFirst().label() : "") + " is " + status + when + ".";
        List<Fact> factList = new ArrayList<>();
        factList.add(new Fact("Status", status));
        factList.add(new Fact("Document", document));
        factList.add(new Fact("Command ID", commandId));
        if (!invocation) {
            factList.add(new Fact("Instances", ids.isEmpty() ? "chosen by targets" : Integer.toString(ids.size())));
        }
        text(message, "requestedDateTime").ifPresent(t -> factList.add(new Fact("Requested", t)));
        text(message, "expiresAfter").ifPresent(t -> factList.add(new Fact("Expires after", t)));
        Optional<String> link = Optional.of(lines.size() == 1 ? lines.getFirst().dashboardUrl() : links.dashboard());
        return new RenderedMessage(title, text, factList, lines, link);
    }

    /** "Command AWS-RunPatchBaseline on web-1 (mi-…): Failed", "… on 3 instances: Success", or without "on". */
    static String title(String document, String status, List<InstanceLine> lines) {
        String where =
                switch (lines.size()) {
                    case 0 -> "";
                    case 1 -> " on " + lines.getFirst().label();
                    default -> " on " + lines.size() + " instances";
                };
        return "Command " + document + where + ": " + status;
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isBlank() ? Optional.of(value.asText()) : Optional.empty();
    }
}
