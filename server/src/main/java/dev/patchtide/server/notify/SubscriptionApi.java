package dev.patchtide.server.notify;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.delivery.Delivery;
import dev.patchtide.server.delivery.Outbox;
import dev.patchtide.server.delivery.RetryPolicy;
import dev.patchtide.server.notify.NotifyMessages.AttributesResponse;
import dev.patchtide.server.notify.NotifyMessages.ConfirmSubscriptionRequest;
import dev.patchtide.server.notify.NotifyMessages.ListSubscriptionsByTopicRequest;
import dev.patchtide.server.notify.NotifyMessages.ListSubscriptionsRequest;
import dev.patchtide.server.notify.NotifyMessages.ListSubscriptionsResponse;
import dev.patchtide.server.notify.NotifyMessages.SetSubscriptionAttributesRequest;
import dev.patchtide.server.notify.NotifyMessages.SubscribeRequest;
import dev.patchtide.server.notify.NotifyMessages.SubscriptionArnRequest;
import dev.patchtide.server.notify.NotifyMessages.SubscriptionArnResponse;
import dev.patchtide.server.notify.NotifyMessages.SubscriptionEntry;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The subscription actions of SNS: Subscribe (email and http/https wait for confirmation; slack, teams
 * and ticket webhooks are the admin's own and confirmed at once), ConfirmSubscription, Unsubscribe,
 * the listings and the attributes.
 */
final class SubscriptionApi {
    static final String PENDING = "pending confirmation";
    /** SNS lets a confirmation token be used for three days. */
    static final Duration TOKEN_VALIDITY = Duration.ofDays(3);

    private static final String LISTING = "subscriptions";
    private static final int PAGE = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final SnsArns arns;
    private final Channels channels;
    private final Outbox outbox;
    private final Links links;
    private final InstantSource clock;

    SubscriptionApi(Jdbi jdbi, SnsArns arns, Channels channels, Outbox outbox, Links links, InstantSource clock) {
        this.jdbi = jdbi;
        this.arns = arns;
        this.channels = channels;
        this.outbox = outbox;
        this.links = links;
        this.clock = clock;
    }

    void routes(ApiRouter router) {
        router.register(new Action<>(
                "Patchtide.Subscribe", SubscribeRequest.class, Access.adminOnly(), (q, who) -> subscribe(q)));
        // The token is the proof, as in SNS: whoever received the confirmation may confirm.
        router.register(new Action<>(
                "Patchtide.ConfirmSubscription",
                ConfirmSubscriptionRequest.class,
                Access.anonymous(),
                (q, who) -> new SubscriptionArnResponse(confirm(q.topicArn(), q.token()))));
        router.register(new Action<>(
                "Patchtide.Unsubscribe", SubscriptionArnRequest.class, Access.adminOnly(), (q, who) -> unsubscribe(q)));
        router.register(new Action<>(
                "Patchtide.ListSubscriptions",
                ListSubscriptionsRequest.class,
                Access.adminOnly(),
                (q, who) -> list(Optional.empty(), q.nextToken())));
        router.register(new Action<>(
                "Patchtide.ListSubscriptionsByTopic",
                ListSubscriptionsByTopicRequest.class,
                Access.adminOnly(),
                (q, who) -> list(Optional.of(arns.requireTopicArn("TopicArn", q.topicArn())), q.nextToken())));
        router.register(new Action<>(
                "Patchtide.GetSubscriptionAttributes",
                SubscriptionArnRequest.class,
                Access.adminOnly(),
                (q, who) -> attributes(q)));
        router.register(new Action<>(
                "Patchtide.SetSubscriptionAttributes",
                SetSubscriptionAttributesRequest.class,
                Access.adminOnly(),
                (q, who) -> set(q)));
    }

    private SubscriptionArnResponse subscribe(SubscribeRequest q) {
        String topicArn = arns.requireTopicArn("TopicArn", q.topicArn());
        Channel channel = channels.require(q.protocol());
        channel.checkEndpoint(q.endpoint());
        Map<String, String> attributes =
                SubscriptionAttributes.check(q.protocol(), q.attributes() == null ? Map.of() : q.attributes());
        boolean returnArn = Boolean.TRUE.equals(q.returnSubscriptionArn());
        return jdbi.inTransaction(h -> {
            NotifyStore.topic(h, topicArn, true).orElseThrow(SnsErrors::topicNotFound);
            Optional<Subscription> existing =
                    NotifyStore.subscriptionByEndpoint(h, topicArn, q.protocol(), q.endpoint());
            if (existing.isPresent()) {
                if (!existing.get().attributes().equals(attributes) && !attributes.isEmpty()) {
                    throw SnsErrors.invalidParameter(
                            "Attributes Reason: Subscription already exists with different attributes");
                }
                return answer(existing.get(), returnArn);
            }
            // Stored at PostgreSQL's microsecond precision, so later comparisons see the same instant.
            Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            Subscription created = new Subscription(
                    SnsArns.newSubscriptionArn(topicArn),
                    topicArn,
                    q.protocol(),
                    q.endpoint(),
                    !channel.needsConfirmation(),
                    HexFormat.of().formatHex(token()),
                    attributes,
                    now);
            NotifyStore.insertSubscription(h, created);
            if (channel.needsConfirmation()) {
                requestConfirmation(h, created, now);
            }
            return answer(created, returnArn);
        });
    }

    private static byte[] token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private void requestConfirmation(Handle h, Subscription s, Instant now) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("Type", "SubscriptionConfirmation");
        attributes.put("MessageId", UUID.randomUUID().toString());
        attributes.put("Token", s.token());
        attributes.put("SubscribeURL", links.confirm(s.topicArn(), s.token()));
        attributes.put("Timestamp", now.toString());
        String message = "You have chosen to subscribe to the topic " + s.topicArn()
                + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.";
        outbox.enqueue(
                h,
                new Delivery(
                        FanOut.SUBSCRIPTION_KIND, s.arn(), message, attributes, s.topicArn(), RetryPolicy.DEFAULT));
    }

    private static SubscriptionArnResponse answer(Subscription s, boolean returnArn) {
        return new SubscriptionArnResponse(s.confirmed() || returnArn ? s.arn() : PENDING);
    }

    /** Confirms with the token from the confirmation message; confirming twice is harmless. */
    String confirm(String topicArnText, String token) {
        String topicArn = arns.requireTopicArn("TopicArn", topicArnText);
        return jdbi.inTransaction(h -> {
            NotifyStore.topic(h, topicArn, false).orElseThrow(SnsErrors::topicNotFound);
            Subscription s = NotifyStore.subscriptionByToken(h, topicArn, token)
                    .orElseThrow(() -> SnsErrors.invalidParameter("Token"));
            if (!s.confirmed()) {
                if (!s.createdAt().plus(TOKEN_VALIDITY).isAfter(clock.instant())) {
                    throw SnsErrors.invalidParameter(
                            "Token Reason: the confirmation token has expired; subscribe" + " again");
                }
                NotifyStore.confirm(h, s.arn(), clock.instant());
            }
            return s.arn();
        });
    }

    /** Unsubscribes with the token in a notification's unsubscribe link. */
    boolean unsubscribeByLink(String subscriptionArn, String token) {
        return jdbi.inTransaction(h -> {
            Optional<Subscription> s = NotifyStore.subscription(h, subscriptionArn);
            if (s.isEmpty() || !s.get().token().equals(token)) {
                return false;
            }
            return NotifyStore.deleteSubscription(h, subscriptionArn);
        });
    }

    private Object unsubscribe(SubscriptionArnRequest q) {
        SnsArns.topicOfSubscription("SubscriptionArn", q.subscriptionArn());
        boolean deleted = jdbi.inTransaction(h -> NotifyStore.deleteSubscription(h, q.subscriptionArn()));
        if (!deleted) {
            throw SnsErrors.subscriptionNotFound();
        }
        return Map.of();
    }

    private ListSubscriptionsResponse list(Optional<String> topicArn, String nextToken) {
        String after = PageToken.decode(LISTING, nextToken).orElse("");
        List<Subscription> page = jdbi.withHandle(h -> {
            if (topicArn.isPresent()) {
                NotifyStore.topic(h, topicArn.get(), false).orElseThrow(SnsErrors::topicNotFound);
            }
            return NotifyStore.subscriptions(h, topicArn, after, PAGE + 1);
        });
        String next = page.size() > PAGE
                ? PageToken.encode(LISTING, page.get(PAGE - 1).arn())
                : null;
        List<SubscriptionEntry> entries = page.stream()
                .limit(PAGE)
                .map(s -> new SubscriptionEntry(
                        s.confirmed() ? s.arn() : "PendingConfirmation",
                        arns.accountId(),
                        s.protocol(),
                        s.endpoint(),
                        s.topicArn()))
                .toList();
        return new ListSubscriptionsResponse(entries, next);
    }

    private AttributesResponse attributes(SubscriptionArnRequest q) {
        SnsArns.topicOfSubscription("SubscriptionArn", q.subscriptionArn());
        Subscription s = jdbi.withHandle(h -> NotifyStore.subscription(h, q.subscriptionArn()))
                .orElseThrow(SnsErrors::subscriptionNotFound);
        return new AttributesResponse(SubscriptionAttributes.shown(s, arns.accountId()));
    }

    private Object set(SetSubscriptionAttributesRequest q) {
        SnsArns.topicOfSubscription("SubscriptionArn", q.subscriptionArn());
        if (!SubscriptionAttributes.SETTABLE.contains(q.attributeName())) {
            throw SnsErrors.invalidParameter("AttributeName: settable: " + SubscriptionAttributes.SETTABLE);
        }
        jdbi.useTransaction(h -> {
            Subscription s =
                    NotifyStore.subscription(h, q.subscriptionArn()).orElseThrow(SnsErrors::subscriptionNotFound);
            Map<String, String> attributes = new LinkedHashMap<>(s.attributes());
            attributes.put(q.attributeName(), q.attributeValue() == null ? "" : q.attributeValue());
            Map<String, String> checked = SubscriptionAttributes.check(s.protocol(), attributes);
            NotifyStore.setSubscriptionAttributes(h, s.arn(), checked);
            if (q.attributeName().equals(DedupePolicy.ATTRIBUTE)) {
                // A changed dedupe policy starts from a clean slate.
                DedupeLedger.forget(h, s.arn());
            }
        });
        return Map.of();
    }
}
