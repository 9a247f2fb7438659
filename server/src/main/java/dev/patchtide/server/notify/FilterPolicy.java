package dev.patchtide.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;
import software.amazon.event.ruler.JsonRuleCompiler;
import software.amazon.event.ruler.Machine;

/**
 * A subscription's filter policy in SNS syntax, matched with event-ruler. SNS filter policies are
 * event-ruler patterns: with scope {@code MessageBody} the pattern applies to the message (a JSON
 * object); with scope {@code MessageAttributes} it applies to an object built from the message
 * attributes (String as text, Number as a number, String.Array as its array; Binary is not matched).
 */
final class FilterPolicy {
    static final String ATTRIBUTE = "FilterPolicy";
    static final String SCOPE_ATTRIBUTE = "FilterPolicyScope";
    static final String MESSAGE_ATTRIBUTES = "MessageAttributes";
    static final String MESSAGE_BODY = "MessageBody";
    private static final ObjectMapper JSON = ApiJson.documents();

    private final Machine machine;

    private FilterPolicy(Machine machine) {
        this.machine = machine;
    }

    /** Checks a policy for a scope; the error names {@code FilterPolicy} as SNS does. */
    static void validate(String policy, String scope) {
        JsonNode root;
        try {
            root = JSON.readTree(policy);
        } catch (JsonProcessingException e) {
            throw SnsErrors.invalidParameter("FilterPolicy: failed to parse JSON. " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw SnsErrors.invalidParameter("FilterPolicy: Filter policy must be a JSON object");
        }
        if (MESSAGE_ATTRIBUTES.equals(scope) && nested(root)) {
            throw SnsErrors.invalidParameter(
                    "FilterPolicy: Filter policy scope MessageAttributes does not support nested filter policy");
        }
        String error = JsonRuleCompiler.check(policy);
        if (error != null) {
            throw SnsErrors.invalidParameter("FilterPolicy: " + error);
        }
    }

    static FilterPolicy compile(String policy) {
        Machine machine = Machine.builder().build();
        try {
            machine.addRule("policy", policy);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("stored filter policy no longer compiles", e);
        }
        return new FilterPolicy(machine);
    }

    /** Whether a message passes a subscription's policy (no policy, or an empty one, lets everything pass). */
    static boolean passes(Subscription subscription, Notification message) {
        Optional<String> policy = subscription.attribute(ATTRIBUTE).filter(p -> !p.isBlank() && !p.equals("{}"));
        if (policy.isEmpty()) {
            return true;
        }
        String scope = subscription.attribute(SCOPE_ATTRIBUTE).orElse(MESSAGE_ATTRIBUTES);
        Optional<JsonNode> subject =
                scope.equals(MESSAGE_BODY) ? bodyObject(message.message()) : Optional.of(attributes(message));
        return subject.map(node -> compile(policy.get()).matches(node)).orElse(false);
    }

    boolean matches(JsonNode event) {
        return !machine.rulesForJSONEvent(event).isEmpty();
    }

    private static boolean nested(JsonNode root) {
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals("$or")) {
                for (JsonNode alternative : field.getValue()) {
                    if (nested(alternative)) {
                        return true;
                    }
                }
            } else if (field.getValue().isObject()) {
                return true;
            }
        }
        return false;
    }

    private static Optional<JsonNode> bodyObject(String message) {
        try {
            JsonNode body = JSON.readTree(message);
            return body != null && body.isObject() ? Optional.of(body) : Optional.empty();
        } catch (JsonProcessingException notJson) {
            return Optional.empty();
        }
    }

    private static JsonNode attributes(Notification message) {
        ObjectNode event = JSON.createObjectNode();
        message.messageAttributes().forEach((name, value) -> {
            switch (value.dataType().split("\\.", 2)[0]) {
                case "String" -> {
                    if (value.dataType().equals("String.Array")) {
                        bodyArray(value.stringValue()).ifPresent(array -> event.set(name, array));
                    } else {
                        event.put(name, value.stringValue());
                    }
                }
                case "Number" -> {
                    try {
                        event.put(name, new BigDecimal(value.stringValue()));
                    } catch (NumberFormatException e) {
                        event.put(name, value.stringValue());
                    }
                }
                default -> {
                    // Binary attributes are not matched by SNS filter policies either.
                }
            }
        });
        return event;
    }

    private static Optional<JsonNode> bodyArray(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isArray() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
