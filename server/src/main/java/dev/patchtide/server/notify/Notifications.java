package dev.patchtide.server.notify;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.api.ErrorWire;
import dev.patchtide.server.delivery.DeliveryWorker;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * The notify feature wired together: SNS-style topics and subscriptions under {@code Patchtide.<Action>}
 * and over SNS's own query protocol,
 * the channels (email when SMTP is configured, http/https, slack, teams, ticket), the {@code sns-topic}
 * and {@code sns-subscription} deliverers, and the confirm/unsubscribe links people click.
 */
public final class Notifications {
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

    private final TopicApi topics;
    private final SubscriptionApi subscriptions;
    private final TopicDeliverer topicDeliverer;
    private final SubscriptionDeliverer subscriptionDeliverer;
    private final TopicPublisher publisher;

    public Notifications(
            Jdbi jdbi,
            DeliveryWorker deliveries,
            InstantSource clock,
            String region,
            String accountId,
            Optional<SmtpSettings> smtp,
            Supplier<URI> publicUrl) {
        // Rows from before secret attributes were sealed (V22) are sealed now, before anything reads them.
        jdbi.useTransaction(NotifyStore::sealPlaintext);
        SnsArns arns = new SnsArns(region, accountId);
        Links links = new Links(publicUrl);
        HttpSender http = new HttpSender(HTTP_TIMEOUT);
        List<Channel> channelList = new ArrayList<>(List.of(
                new HttpChannel("http", http, links),
                new HttpChannel("https", http, links),
                ChatWebhookChannel.slack(http),
                ChatWebhookChannel.teams(http),
                new TicketChannel(http)));
        smtp.ifPresent(settings -> channelList.add(new EmailChannel(new Mailer(settings, clock), links)));
        Channels channels = new Channels(channelList);
        FanOut fanOut = new FanOut(deliveries.outbox(), clock);
        this.topics = new TopicApi(jdbi, arns, fanOut, clock);
        this.subscriptions = new SubscriptionApi(jdbi, arns, channels, deliveries.outbox(), links, clock);
        this.topicDeliverer = new TopicDeliverer(jdbi, fanOut, clock);
        this.publisher = new TopicPublisher(fanOut, clock);
        this.subscriptionDeliverer =
                new SubscriptionDeliverer(jdbi, channels, new MessageRenderer(new InstanceFacts(jdbi), links));
    }

    public void routes(ApiRouter router) {
        topics.routes(router);
        subscriptions.routes(router);
        router.register(SnsQuery.service());
    }

    /** The links in confirmation requests and notifications: plain GETs, the token being the proof. */
    public void webRoutes(Javalin app) {
        app.get(Links.CONFIRM_PATH, this::confirmByLink);
        app.get(Links.UNSUBSCRIBE_PATH, this::unsubscribeByLink);
    }

    /** Publishes to topics from other features, in their transaction. */
    public TopicPublisher publisher() {
        return publisher;
    }

    public void registerDeliverers(DeliveryWorker deliveries) {
        deliveries.register(topicDeliverer);
        deliveries.register(subscriptionDeliverer);
    }

    private void confirmByLink(Context ctx) {
        try {
            String arn = subscriptions.confirm(
                    Optional.ofNullable(ctx.queryParam("TopicArn")).orElse(""),
                    Optional.ofNullable(ctx.queryParam("Token")).orElse(""));
            page(
                    ctx,
                    200,
                    "Subscription confirmed!",
                    "You have successfully subscribed. Your subscription's id is: " + arn);
        } catch (ApiException e) {
            page(ctx, ErrorWire.pageStatus(e), "Subscription not confirmed", e.getMessage());
        }
    }

    private void unsubscribeByLink(Context ctx) {
        boolean done = subscriptions.unsubscribeByLink(
                Optional.ofNullable(ctx.queryParam("SubscriptionArn")).orElse(""),
                Optional.ofNullable(ctx.queryParam("Token")).orElse(""));
        if (done) {
            page(ctx, 200, "Subscription removed!", "You will no longer receive messages from this topic.");
        } else {
            page(ctx, 404, "Subscription not found", "This link is not valid, or you have already unsubscribed.");
        }
    }

    private static void page(Context ctx, int status, String title, String text) {
        ctx.status(status)
                .contentType("text/html; charset=utf-8")
                .result("<!doctype html><html><head><title>" + EmailChannel.escape(title) + "</title></head><body><h1>"
                        + EmailChannel.escape(title) + "</h1><p>" + EmailChannel.escape(text) + "</p></body></html>");
    }
}
