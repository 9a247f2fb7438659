package dev.patchtide.server.notify;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Topic ARNs {@code arn:aws:sns:<region>:<account>:<name>} and subscription ARNs {@code <topicArn>:<uuid>}. */
final class SnsArns {
    static final Pattern TOPIC_NAME = Pattern.compile("^[A-Za-z0-9_-]{1,256}$");
    private static final Pattern TOPIC_ARN =
            Pattern.compile("^arn:aws:sns:([a-z0-9-]+):(\\d{12}):([A-Za-z0-9_-]{1,256})$");
    private static final Pattern SUBSCRIPTION_ARN = Pattern.compile(
            "^(arn:aws:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private final String region;
    private final String accountId;

    SnsArns(String region, String accountId) {
        this.region = region;
        this.accountId = accountId;
    }

    String accountId() {
        return accountId;
    }

    String topicArn(String name) {
        return "arn:aws:sns:" + region + ":" + accountId + ":" + name;
    }

    static String newSubscriptionArn(String topicArn) {
        return topicArn + ":" + UUID.randomUUID();
    }

    /** The topic ARN if the text is one of this server's, else {@code InvalidParameter} naming the member. */
    String requireTopicArn(String member, String text) {
        Matcher m = text == null ? null : TOPIC_ARN.matcher(text);
        if (m == null || !m.matches()) {
            throw SnsErrors.invalidParameter(
                    member + " Reason: An ARN must have the form arn:aws:sns:region:account:name");
        }
        if (!m.group(1).equals(region) || !m.group(2).equals(accountId)) {
            throw SnsErrors.topicNotFound();
        }
        return text;
    }

    /** The topic part of a subscription ARN, or {@code InvalidParameter} naming the member. */
    static String topicOfSubscription(String member, String text) {
        Matcher m = text == null ? null : SUBSCRIPTION_ARN.matcher(text);
        if (m == null || !m.matches()) {
            throw SnsErrors.invalidParameter(member);
        }
        return m.group(1);
    }

    static Optional<String> nameOf(String topicArn) {
        int colon = topicArn.lastIndexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(topicArn.substring(colon + 1));
    }
}
