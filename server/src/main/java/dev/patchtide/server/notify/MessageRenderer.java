package dev.patchtide.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.notify.RenderedMessage.Fact;
import dev.patchtide.server.notify.RenderedMessage.InstanceLine;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a published message into a {@link RenderedMessage}. An EventBridge event (envelope with
 * {@code detail-type}, {@code source}, {@code detail}) becomes an alert: a title from its detail-type
 * and instance, its scalar detail fields as facts, and every instance it names (detail
 * {@code resource-id}/{@code instance-id}/{@code instance-ids}/{@code instances}, or managed-instance ARNs
 * in {@code resources}) with its name and missing-patch counts read from the database now, and a link to
 * its dashboard page. Run Command's status messages render as {@link CommandNotice} says. Anything else renders
 * as subject + body.
 */
final class MessageRenderer {
    static final String COMPLIANCE_CHANGE = "Configuration Compliance State Change";
    private static final Pattern INSTANCE_ID = Pattern.compile("^(mi-[0-9a-f]{17}|i-[0-9a-f]{8,17})$");
    private static final Pattern INSTANCE_IN_ARN =
            Pattern.compile("(?:managed-instance|instance)/((?:mi|i)-[0-9a-f]{8,17})$");
    private static final Set<String> INSTANCE_FIELDS =
            Set.of("resource-id", "instance-id", "instance-ids", "instances");
    private static final int MAX_FACTS = 10;

    private final InstanceFacts facts;
    private final Links links;

    MessageRenderer(InstanceFacts facts, Links links) {
        this.facts = facts;
        this.links = links;
    }

    RenderedMessage render(Notification notification, String topicDisplayName) {
        Optional<JsonNode> event = DedupePolicy.parseMessage(notification.message())
                .filter(m ->
                        m.path("detail-type").isTextual() && m.path("detail").isObject());
        if (event.isPresent()) {
            return alert(event.get(), notification);
        }
        Optional<JsonNode> command =
                DedupePolicy.parseMessage(notification.message()).filter(CommandNotice::recognises);
        if (command.isPresent()) {
            return CommandNotice.render(command.get(), notification, facts, links);
        }
        String title = notification
                .subject()
                .orElse(
                        topicDisplayName.isBlank()
                                ? "Notification from "
                                        + SnsArns.nameOf(notification.topicArn())
                                                .orElse("a topic")
                                : topicDisplayName);
        return new RenderedMessage(title, notification.message(), List.of(), List.of(), Optional.empty());
    }

    private RenderedMessage alert(JsonNode event, Notification notification) {
        JsonNode detail = event.path("detail");
        String detailType = event.path("detail-type").asText();
        List<String> ids = instanceIds(event);
        Map<String, InstanceFacts.Known> known = facts.lookup(ids);
        boolean command =
                detailType.equals(CommandNotice.COMMAND_EVENT) || detailType.equals(CommandNotice.INVOCATION_EVENT);
        // AWS's own events say non_compliant; people read the console's NON_COMPLIANT.
        Optional<String> status = command
                ? text(detail, "status")
                : text(detail, "compliance-status").map(s -> s.toUpperCase(java.util.Locale.ROOT));
        // A command's status is not each instance's; an invocation's is its instance's.
        Optional<String> lineStatus = detailType.equals(CommandNotice.COMMAND_EVENT) ? Optional.empty() : status;
        Optional<String> severity = text(detail, "severity");
        List<InstanceLine> lines = new ArrayList<>();
        for (String id : ids) {
            InstanceFacts.Known k = known.get(id);
            lines.add(new InstanceLine(
                    id,
                    k == null ? "" : k.name(),
                    lineStatus,
                    severity,
                    k == null ? Optional.empty() : k.counts(),
                    links.instance(id)));
        }
        Optional<String> document = text(detail, "document-name");
        String title = notification
                .subject()
                .orElseGet(() -> command && document.isPresent() && status.isPresent()
                        ? CommandNotice.title(document.get(), status.get(), lines)
                        : title(detailType, status, lines));
        String text = event.path("source").asText() + " reported " + detailType
                + (event.path("time").isTextual() ? " at " + event.path("time").asText() : "") + ".";
        List<Fact> factList = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : detail.properties()) {
            if (factList.size() < MAX_FACTS
                    && !INSTANCE_FIELDS.contains(field.getKey())
                    && field.getValue().isValueNode()) {
                factList.add(new Fact(field.getKey(), field.getValue().asText()));
            }
        }
        Optional<String> link = Optional.of(lines.size() == 1 ? lines.get(0).dashboardUrl() : links.dashboard());
        return new RenderedMessage(title, text, factList, lines, link);
    }

    private static String title(String detailType, Optional<String> status, List<InstanceLine> lines) {
        String what = detailType.equals(COMPLIANCE_CHANGE) && status.isPresent()
                ? "Patch compliance " + status.get()
                : detailType;
        if (lines.size() == 1) {
            return what + ": " + lines.get(0).label();
        }
        return lines.isEmpty() ? what : what + ": " + lines.size() + " instances";
    }

    private static List<String> instanceIds(JsonNode event) {
        Set<String> ids = new LinkedHashSet<>();
        JsonNode detail = event.path("detail");
        for (String field : List.of("resource-id", "instance-id")) {
            text(detail, field).filter(id -> INSTANCE_ID.matcher(id).matches()).ifPresent(ids::add);
        }
        for (JsonNode item : detail.path("instance-ids")) {
            if (INSTANCE_ID.matcher(item.asText()).matches()) {
                ids.add(item.asText());
            }
        }
        for (JsonNode item : detail.path("instances")) {
            String id = item.isTextual()
                    ? item.asText()
                    : item.path("instance-id").asText(item.path("InstanceId").asText());
            if (INSTANCE_ID.matcher(id).matches()) {
                ids.add(id);
            }
        }
        for (JsonNode resource : event.path("resources")) {
            Matcher m = INSTANCE_IN_ARN.matcher(resource.asText());
            if (m.find()) {
                ids.add(m.group(1));
            }
        }
        return List.copyOf(ids);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isValueNode() && !value.asText().isBlank() ? Optional.of(value.asText()) : Optional.empty();
    }
}
