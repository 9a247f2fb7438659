package dev.patchtide.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.secrets.Sealing;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Topics and subscriptions in PostgreSQL. Every method runs in the caller's handle (and transaction).
 * A subscription's secret attributes ({@link SubscriptionAttributes#SECRET}) are stored apart, sealed under
 * the server key ({@link Sealing}) and bound to the subscription's ARN; in memory a {@link Subscription}
 * holds them open.
 */
final class NotifyStore {
    private static final ObjectMapper JSON = ApiJson.documents();
    private static final String SUBSCRIPTION_COLUMNS = "subscription_arn, topic_arn, protocol, endpoint, confirmed,"
            + " token, attributes, secret_attributes, created_at";

    private NotifyStore() {}

    static boolean insertTopic(Handle h, Topic topic, String tagsJson) {
        return h.createUpdate("INSERT INTO sns_topics (topic_arn, name, attributes, tags, created_at)"
                                + " VALUES (:arn, :name, CAST(:attributes AS jsonb), CAST(:tags AS jsonb), :now)"
                                + " ON CONFLICT (topic_arn) DO NOTHING")
                        .bind("arn", topic.arn())
                        .bind("name", topic.name())
                        .bind("attributes", json(topic.attributes()))
                        .bind("tags", tagsJson)
                        .bind("now", topic.createdAt())
                        .execute()
                == 1;
    }

    static Optional<Topic> topic(Handle h, String arn, boolean forUpdate) {
        return h.createQuery("SELECT topic_arn, name, attributes, created_at FROM sns_topics WHERE topic_arn = :arn"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .bind("arn", arn)
                .map((rs, ctx) -> new Topic(
                        rs.getString("topic_arn"),
                        rs.getString("name"),
                        map(rs.getString("attributes")),
                        rs.getTimestamp("created_at").toInstant()))
                .findOne();
    }

    static void setTopicAttributes(Handle h, String arn, Map<String, String> attributes) {
        h.createUpdate("UPDATE sns_topics SET attributes = CAST(:attributes AS jsonb) WHERE topic_arn = :arn")
                .bind("arn", arn)
                .bind("attributes", json(attributes))
                .execute();
    }

    static boolean deleteTopic(Handle h, String arn) {
        return h.createUpdate("DELETE FROM sns_topics WHERE topic_arn = :arn")
                        .bind("arn", arn)
                        .execute()
                == 1;
    }

    static List<String> topicArns(Handle h, String after, int limit) {
        return h.createQuery(
                        "SELECT topic_arn FROM sns_topics WHERE topic_arn > :after ORDER BY topic_arn LIMIT :limit")
                .bind("after", after)
                .bind("limit", limit)
                .mapTo(String.class)
                .list();
    }

    static void insertSubscription(Handle h, Subscription s) {
        h.createUpdate("INSERT INTO sns_subscriptions (" + SUBSCRIPTION_COLUMNS + ", confirmed_at) VALUES (:arn,"
                        + " :topic, :protocol, :endpoint, :confirmed, :token, CAST(:attributes AS jsonb), :sealed,"
                        + " :now, CASE WHEN :confirmed THEN CAST(:now AS timestamptz) END)")
                .bind("arn", s.arn())
                .bind("topic", s.topicArn())
                .bind("protocol", s.protocol())
                .bind("endpoint", s.endpoint())
                .bind("confirmed", s.confirmed())
                .bind("token", s.token())
                .bind("attributes", json(withoutSecrets(s.attributes())))
                .bind("sealed", sealSecrets(h, s.arn(), s.attributes()))
                .bind("now", s.createdAt())
                .execute();
    }

    static Optional<Subscription> subscription(Handle h, String arn) {
        return h.createQuery("SELECT " + SUBSCRIPTION_COLUMNS + " FROM sns_subscriptions WHERE subscription_arn = :arn")
                .bind("arn", arn)
                .map(NotifyStore::subscription)
                .findOne();
    }

    static Optional<Subscription> subscriptionByEndpoint(Handle h, String topicArn, String protocol, String endpoint) {
        return h.createQuery("SELECT " + SUBSCRIPTION_COLUMNS + " FROM sns_subscriptions WHERE topic_arn = :topic"
                        + " AND protocol = :protocol AND endpoint = :endpoint")
                .bind("topic", topicArn)
                .bind("protocol", protocol)
                .bind("endpoint", endpoint)
                .map(NotifyStore::subscription)
                .findOne();
    }

    static Optional<Subscription> subscriptionByToken(Handle h, String topicArn, String token) {
        return h.createQuery("SELECT " + SUBSCRIPTION_COLUMNS + " FROM sns_subscriptions WHERE topic_arn = :topic"
                        + " AND token = :token FOR UPDATE")
                .bind("topic", topicArn)
                .bind("token", token)
                .map(NotifyStore::subscription)
                .findOne();
    }

    /** Subscriptions of one topic (all of them, or only {@code topicArn} null for every topic), paged by ARN. */
    static List<Subscription> subscriptions(Handle h, Optional<String> topicArn, String after, int limit) {
        return h.createQuery(
                        "SELECT " + SUBSCRIPTION_COLUMNS + " FROM sns_subscriptions WHERE subscription_arn > :after"
                                + " AND (CAST(:topic AS text) IS NULL OR topic_arn = :topic) ORDER BY subscription_arn"
                                + " LIMIT :limit")
                .bind("after", after)
                .bind("topic", topicArn.orElse(null))
                .bind("limit", limit)
                .map(NotifyStore::subscription)
                .list();
    }

    static List<Subscription> confirmedSubscriptions(Handle h, String topicArn) {
        return h.createQuery("SELECT " + SUBSCRIPTION_COLUMNS + " FROM sns_subscriptions WHERE topic_arn = :topic"
                        + " AND confirmed ORDER BY subscription_arn")
                .bind("topic", topicArn)
                .map(NotifyStore::subscription)
                .list();
    }

    static void confirm(Handle h, String arn, Instant now) {
        h.createUpdate(
                        "UPDATE sns_subscriptions SET confirmed = true, confirmed_at = :now WHERE subscription_arn = :arn")
                .bind("arn", arn)
                .bind("now", now)
                .execute();
    }

    static void setSubscriptionAttributes(Handle h, String arn, Map<String, String> attributes) {
        h.createUpdate("UPDATE sns_subscriptions SET attributes = CAST(:attributes AS jsonb),"
                        + " secret_attributes = :sealed WHERE subscription_arn = :arn")
                .bind("arn", arn)
                .bind("attributes", json(withoutSecrets(attributes)))
                .bind("sealed", sealSecrets(h, arn, attributes))
                .execute();
    }

    /**
     * Seals the secret attributes a version before V22 kept among the others, at start-up (idempotent).
     *
     * @throws IllegalStateException when secrets were sealed under another server key, naming the setting
     */
    static void sealPlaintext(Handle h) {
        Sealing.refuseOtherKeys(h, Sealing.box(h), "Subscription", "sns_subscriptions", "secret_attributes", "true");
        List<Subscription> plain = h.createQuery("SELECT " + SUBSCRIPTION_COLUMNS + " FROM sns_subscriptions"
                        + " WHERE attributes - CAST(:secret AS text[]) <> attributes FOR UPDATE")
                .bindArray("secret", String.class, SubscriptionAttributes.SECRET)
                .map(NotifyStore::subscription)
                .list();
        plain.forEach(s -> setSubscriptionAttributes(h, s.arn(), s.attributes()));
    }

    static boolean deleteSubscription(Handle h, String arn) {
        return h.createUpdate("DELETE FROM sns_subscriptions WHERE subscription_arn = :arn")
                        .bind("arn", arn)
                        .execute()
                == 1;
    }

    /** Counts of confirmed and pending subscriptions of a topic, for GetTopicAttributes. */
    static Map<Boolean, Integer> subscriptionCounts(Handle h, String topicArn) {
        Map<Boolean, Integer> counts = new java.util.HashMap<>(Map.of(true, 0, false, 0));
        h.createQuery(
                        "SELECT confirmed, count(*) AS n FROM sns_subscriptions WHERE topic_arn = :topic GROUP BY confirmed")
                .bind("topic", topicArn)
                .map((rs, ctx) -> Map.entry(rs.getBoolean("confirmed"), rs.getInt("n")))
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    private static Subscription subscription(ResultSet rs, StatementContext ctx) throws SQLException {
        String arn = rs.getString("subscription_arn");
        Map<String, String> attributes = new LinkedHashMap<>(map(rs.getString("attributes")));
        String sealed = rs.getString("secret_attributes");
        if (sealed != null) {
            attributes.putAll(map(Sealing.box(ctx).open(sealed, context(arn))));
        }
        return new Subscription(
                arn,
                rs.getString("topic_arn"),
                rs.getString("protocol"),
                rs.getString("endpoint"),
                rs.getBoolean("confirmed"),
                rs.getString("token"),
                attributes,
                rs.getTimestamp("created_at").toInstant());
    }

    private static Map<String, String> withoutSecrets(Map<String, String> attributes) {
        Map<String, String> open = new LinkedHashMap<>(attributes);
        open.keySet().removeAll(SubscriptionAttributes.SECRET);
        return open;
    }

    /** The secret attributes sealed as one JSON object, or null when there are none. */
    private static String sealSecrets(Handle h, String arn, Map<String, String> attributes) {
        Map<String, String> secret = new LinkedHashMap<>(attributes);
        secret.keySet().retainAll(SubscriptionAttributes.SECRET);
        return secret.isEmpty() ? null : Sealing.box(h).seal(json(secret), context(arn));
    }

    private static String context(String subscriptionArn) {
        return "sns-subscription:" + subscriptionArn;
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static Map<String, String> map(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable attributes", e);
        }
    }
}
