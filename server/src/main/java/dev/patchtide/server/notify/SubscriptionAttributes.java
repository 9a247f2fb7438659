package dev.patchtide.server.notify;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The settable attributes of a subscription and their rules: SNS's {@code FilterPolicy},
 * {@code FilterPolicyScope}, {@code RawMessageDelivery}, and Patchtide's {@code DedupePolicy},
 * {@code TicketTemplate} and {@code TicketAuthorization}. An empty value removes an attribute.
 */
final class SubscriptionAttributes {
    static final Set<String> SETTABLE = Set.of(
            FilterPolicy.ATTRIBUTE,
            FilterPolicy.SCOPE_ATTRIBUTE,
            "RawMessageDelivery",
            DedupePolicy.ATTRIBUTE,
            TicketTemplate.ATTRIBUTE,
            TicketTemplate.AUTHORIZATION_ATTRIBUTE);
    /** Attributes that are secrets: stored sealed, never shown. */
    static final Set<String> SECRET = Set.of(TicketTemplate.AUTHORIZATION_ATTRIBUTE);

    private SubscriptionAttributes() {}

    /** The attributes a subscription of {@code protocol} ends up with, or {@code InvalidParameter} naming the bad one. */
    static Map<String, String> check(String protocol, Map<String, String> attributes) {
        Map<String, String> result = new LinkedHashMap<>();
        attributes.forEach((name, value) -> {
            if (!SETTABLE.contains(name)) {
                throw SnsErrors.invalidParameter(
                        "Attributes Reason: Unknown attribute " + name + "; settable: " + SETTABLE);
            }
            if (value != null && !value.isEmpty()) {
                result.put(name, value);
            }
        });
        String scope = result.getOrDefault(FilterPolicy.SCOPE_ATTRIBUTE, FilterPolicy.MESSAGE_ATTRIBUTES);
        if (!scope.equals(FilterPolicy.MESSAGE_ATTRIBUTES) && !scope.equals(FilterPolicy.MESSAGE_BODY)) {
            throw SnsErrors.invalidParameter("FilterPolicyScope: must be MessageAttributes or MessageBody");
        }
        if (result.containsKey(FilterPolicy.ATTRIBUTE)) {
            FilterPolicy.validate(result.get(FilterPolicy.ATTRIBUTE), scope);
        }
        String raw = result.get("RawMessageDelivery");
        if (raw != null) {
            if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) {
                throw SnsErrors.invalidParameter("RawMessageDelivery: must be true or false");
            }
            if (!protocol.equals("http") && !protocol.equals("https")) {
                throw SnsErrors.invalidParameter(
                        "Attributes Reason: RawMessageDelivery applies to http and https subscriptions only");
            }
            result.put("RawMessageDelivery", raw.toLowerCase(java.util.Locale.ROOT));
        }
        if (result.containsKey(DedupePolicy.ATTRIBUTE)) {
            DedupePolicy.parse(result.get(DedupePolicy.ATTRIBUTE));
        }
        boolean ticket = protocol.equals("ticket");
        if (!ticket
                && (result.containsKey(TicketTemplate.ATTRIBUTE)
                        || result.containsKey(TicketTemplate.AUTHORIZATION_ATTRIBUTE))) {
            throw SnsErrors.invalidParameter(
                    "Attributes Reason: TicketTemplate and TicketAuthorization apply to ticket subscriptions only");
        }
        if (ticket) {
            String template = result.get(TicketTemplate.ATTRIBUTE);
            if (template == null) {
                throw SnsErrors.invalidParameter("Attributes Reason: a ticket subscription needs a TicketTemplate");
            }
            TicketTemplate.validate(template);
            String auth = result.get(TicketTemplate.AUTHORIZATION_ATTRIBUTE);
            if (auth != null && (auth.contains("\r") || auth.contains("\n"))) {
                throw SnsErrors.invalidParameter("TicketAuthorization: must be one line");
            }
        }
        return result;
    }

    /** What GetSubscriptionAttributes shows: secrets masked. */
    static Map<String, String> shown(Subscription s, String owner) {
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put("SubscriptionArn", s.arn());
        shown.put("TopicArn", s.topicArn());
        shown.put("Owner", owner);
        shown.put("Protocol", s.protocol());
        shown.put("Endpoint", s.endpoint());
        shown.put("PendingConfirmation", Boolean.toString(!s.confirmed()));
        shown.put("ConfirmationWasAuthenticated", Boolean.toString(s.confirmed()));
        shown.put("RawMessageDelivery", Boolean.toString(s.rawMessageDelivery()));
        s.attributes().forEach((name, value) -> {
            if (!name.equals("RawMessageDelivery")) {
                shown.put(name, SECRET.contains(name) ? "****" : value);
            }
        });
        if (s.attributes().containsKey(FilterPolicy.ATTRIBUTE)) {
            shown.putIfAbsent(FilterPolicy.SCOPE_ATTRIBUTE, FilterPolicy.MESSAGE_ATTRIBUTES);
        }
        return shown;
    }
}
