package dev.patchtide.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Patchtide's {@code DedupePolicy} subscription attribute: "notify once per key and condition value
 * until the value changes, and remind after a period", for example
 * {@code {"KeyPath": "$.detail.resource-id", "ConditionPath": "$.detail.reboot-pending", "RemindAfter": "P7D"}}.
 * Paths are dotted JSON paths into the message (a JSON object). A message without the key is not deduplicated.
 */
record DedupePolicy(List<String> keyPath, Optional<List<String>> conditionPath, Optional<Duration> remindAfter) {
    static final String ATTRIBUTE = "DedupePolicy";
    private static final ObjectMapper JSON = ApiJson.documents();
    private static final Set<String> MEMBERS = Set.of("KeyPath", "ConditionPath", "RemindAfter");
    private static final Pattern PATH = Pattern.compile("^\\$(\\.[A-Za-z0-9_@:-]+)+$");

    static DedupePolicy parse(String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw SnsErrors.invalidParameter("DedupePolicy: failed to parse JSON. " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw SnsErrors.invalidParameter("DedupePolicy: must be a JSON object");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MEMBERS.contains(name)) {
                throw SnsErrors.invalidParameter("DedupePolicy: unknown member " + name + "; allowed: " + MEMBERS);
            }
        }
        List<String> key = path(root, "KeyPath")
                .orElseThrow(() -> SnsErrors.invalidParameter("DedupePolicy: KeyPath is required"));
        Optional<Duration> remind = Optional.empty();
        JsonNode remindNode = root.path("RemindAfter");
        if (!remindNode.isMissingNode()) {
            try {
                Duration period = Duration.parse(remindNode.asText());
                if (!remindNode.isTextual() || period.isNegative() || period.isZero()) {
                    throw new DateTimeParseException("not positive", remindNode.asText(), 0);
                }
                remind = Optional.of(period);
            } catch (DateTimeParseException e) {
                throw SnsErrors.invalidParameter(
                        "DedupePolicy: RemindAfter must be a positive ISO-8601 duration such as P7D or PT12H, got "
                                + remindNode);
            }
        }
        return new DedupePolicy(key, path(root, "ConditionPath"), remind);
    }

    private static Optional<List<String>> path(JsonNode root, String member) {
        JsonNode node = root.path(member);
        if (node.isMissingNode()) {
            return Optional.empty();
        }
        if (!node.isTextual() || !PATH.matcher(node.asText()).matches()) {
            throw SnsErrors.invalidParameter(
                    "DedupePolicy: " + member + " must be a JSON path like $.detail.resource-id, got " + node);
        }
        return Optional.of(List.of(node.asText().substring(2).split("\\.")));
    }

    /** The key of a message, if it is a JSON object that has one. */
    Optional<String> key(Optional<JsonNode> message) {
        return message.flatMap(m -> value(m, keyPath));
    }

    /** The condition value of a message; absent reads as the empty string (a change from absent counts). */
    String condition(Optional<JsonNode> message) {
        return conditionPath
                .flatMap(path -> message.flatMap(m -> value(m, path)))
                .orElse("");
    }

    static Optional<JsonNode> parseMessage(String message) {
        try {
            JsonNode node = JSON.readTree(message);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException notJson) {
            return Optional.empty();
        }
    }

    private static Optional<String> value(JsonNode root, List<String> path) {
        JsonNode node = root;
        for (String step : path) {
            node = node.path(step);
        }
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        return Optional.of(node.isValueNode() ? node.asText() : node.toString());
    }
}
