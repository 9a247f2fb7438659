package dev.patchtide.server.notify;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** Links in messages, built on the server's public URL (known only once the server listens). */
final class Links {
    static final String CONFIRM_PATH = "/notify/confirm";
    static final String UNSUBSCRIBE_PATH = "/notify/unsubscribe";

    private final Supplier<URI> publicUrl;

    Links(Supplier<URI> publicUrl) {
        this.publicUrl = publicUrl;
    }

    String base() {
        String url = publicUrl.get().toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    String dashboard() {
        return base() + "/dashboard";
    }

    String instance(String instanceId) {
        return base() + "/dashboard/instances/" + encode(instanceId);
    }

    String confirm(String topicArn, String token) {
        return base() + CONFIRM_PATH + "?TopicArn=" + encode(topicArn) + "&Token=" + encode(token);
    }

    String unsubscribe(Subscription subscription) {
        return base() + UNSUBSCRIBE_PATH + "?SubscriptionArn=" + encode(subscription.arn()) + "&Token="
                + encode(subscription.token());
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
