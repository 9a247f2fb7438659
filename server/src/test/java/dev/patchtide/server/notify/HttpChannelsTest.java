package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real HTTP on loopback: SNS-style http(s) confirmation and notifications, Slack, Teams and ticket bodies. */
class HttpChannelsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MutableClock clock = MutableClock.ofNow();
    private NotifyFixture notify;
    private Receiver receiver;
    private String topic;

    @BeforeEach
    void start() throws Exception {
        notify = new NotifyFixture(clock);
        receiver = new Receiver();
        topic = notify.createTopic("patch-alerts");
    }

    @AfterEach
    void stop() {
        receiver.close();
        notify.close();
    }

    @Test
    void httpSubscriptionConfirmsThroughItsSubscribeUrlThenReceivesNotifications() throws Exception {
        String arn = notify.subscribe(topic, "http", receiver.url("/sns"), Map.of());
        await().atMost(WAIT).until(() -> receiver.to("/sns").size() == 1);
        Receiver.Request confirmation = receiver.to("/sns").getFirst();
        assertThat(confirmation.method()).isEqualTo("POST");
        assertThat(confirmation.header("x-amz-sns-message-type")).isEqualTo("SubscriptionConfirmation");
        assertThat(confirmation.header("x-amz-sns-topic-arn")).isEqualTo(topic);
        assertThat(confirmation.header("X-Patchtide-Delivery-Id")).matches("\\d+");
        JsonNode body = NotifyFixture.JSON.readTree(confirmation.body());
        assertThat(body.path("Type").asText()).isEqualTo("SubscriptionConfirmation");
        assertThat(body.path("TopicArn").asText()).isEqualTo(topic);
        assertThat(body.path("Token").asText()).hasSize(64);
        assertThat(body.path("Message").asText()).contains("You have chosen to subscribe to the topic " + topic);
        assertThat(body.path("Timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        String subscribeUrl = body.path("SubscribeURL").asText();
        assertThat(subscribeUrl).startsWith(notify.server.endpoint() + "/notify/confirm?TopicArn=");

        // Not confirmed yet: a publish reaches nobody.
        notify.publish(topic, "before confirmation");
        assertThat(notify.outboxSize()).isZero();

        HttpResponse<String> page = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(subscribeUrl)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Subscription confirmed!").contains(arn);
        assertThat(notify.call("GetSubscriptionAttributes", Map.of("SubscriptionArn", arn))
                        .path("Attributes")
                        .path("PendingConfirmation")
                        .asText())
                .isEqualTo("false");

        String messageId = notify.call(
                        "Publish",
                        Map.of(
                                "TopicArn",
                                topic,
                                "Subject",
                                "Patching done",
                                "Message",
                                "All 3 hosts patched",
                                "MessageAttributes",
                                Map.of("team", Map.of("DataType", "String", "StringValue", "ops"))))
                .path("MessageId")
                .asText();
        await().atMost(WAIT).until(() -> receiver.to("/sns").size() == 2);
        Receiver.Request notification = receiver.to("/sns").get(1);
        assertThat(notification.header("x-amz-sns-message-type")).isEqualTo("Notification");
        assertThat(notification.header("x-amz-sns-subscription-arn")).isEqualTo(arn);
        assertThat(notification.header("content-type")).isEqualTo("text/plain; charset=UTF-8");
        JsonNode sns = NotifyFixture.JSON.readTree(notification.body());
        assertThat(sns.path("Type").asText()).isEqualTo("Notification");
        assertThat(sns.path("MessageId").asText()).isEqualTo(messageId);
        assertThat(sns.path("TopicArn").asText()).isEqualTo(topic);
        assertThat(sns.path("Subject").asText()).isEqualTo("Patching done");
        assertThat(sns.path("Message").asText()).isEqualTo("All 3 hosts patched");
        assertThat(sns.path("MessageAttributes").path("team").path("Type").asText())
                .isEqualTo("String");
        assertThat(sns.path("MessageAttributes").path("team").path("Value").asText())
                .isEqualTo("ops");
        assertThat(sns.path("UnsubscribeURL").asText()).contains("/notify/unsubscribe?SubscriptionArn=");

        // Raw delivery: the bare message.
        notify.call(
                "SetSubscriptionAttributes",
                Map.of("SubscriptionArn", arn, "AttributeName", "RawMessageDelivery", "AttributeValue", "true"));
        notify.publish(topic, "raw body");
        await().atMost(WAIT).until(() -> receiver.to("/sns").size() == 3);
        assertThat(receiver.to("/sns").get(2).body()).isEqualTo("raw body");

        // The unsubscribe link works once.
        HttpResponse<String> gone = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create(sns.path("UnsubscribeURL").asText()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(gone.statusCode()).isEqualTo(200);
        assertThat(notify.call("ListSubscriptions", Map.of()).path("Subscriptions"))
                .isEmpty();
    }

    @Test
    void confirmationTokensExpireAfterThreeDays() throws Exception {
        notify.subscribe(topic, "http", receiver.url("/sns"), Map.of());
        await().atMost(WAIT).until(() -> receiver.to("/sns").size() == 1);
        String token = NotifyFixture.JSON
                .readTree(receiver.to("/sns").getFirst().body())
                .path("Token")
                .asText();
        clock.advance(Duration.ofDays(3));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> notify.call("ConfirmSubscription", Map.of("TopicArn", topic, "Token", token)))
                .hasMessageContaining("Invalid parameter: Token Reason: the confirmation token has expired");
        assertThat(notify.call("ListSubscriptions", Map.of())
                        .path("Subscriptions")
                        .findValuesAsText("SubscriptionArn"))
                .containsExactly("PendingConfirmation");
    }

    @Test
    void confirmSubscriptionActionTakesTheTokenAndRefusesAWrongOne() throws Exception {
        notify.subscribe(topic, "http", receiver.url("/sns"), Map.of());
        await().atMost(WAIT).until(() -> receiver.to("/sns").size() == 1);
        String token = NotifyFixture.JSON
                .readTree(receiver.to("/sns").getFirst().body())
                .path("Token")
                .asText();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> notify.call("ConfirmSubscription", Map.of("TopicArn", topic, "Token", "00" + token)))
                .hasMessage("InvalidParameter: Invalid parameter: Token");
        String arn = notify.call("ConfirmSubscription", Map.of("TopicArn", topic, "Token", token))
                .path("SubscriptionArn")
                .asText();
        assertThat(notify.call("ListSubscriptions", Map.of())
                        .path("Subscriptions")
                        .findValuesAsText("SubscriptionArn"))
                .containsExactly(arn);
    }

    @Test
    void complianceAlertRendersForSlackTeamsAndTicketWithNamesCountsAndDashboardLinks() throws Exception {
        String instance = notify.scannedInstance("web-1", true);
        notify.subscribe(topic, "slack", receiver.url("/slack"), Map.of());
        notify.subscribe(topic, "teams", receiver.url("/teams"), Map.of());
        String ticketArn = notify.subscribe(
                topic,
                "ticket",
                receiver.url("/rest/api/2/issue"),
                Map.of(
                        "TicketTemplate",
                        TicketTemplate.jiraExample("OPS"),
                        "TicketAuthorization",
                        "Basic b3BzOnRva2Vu"));
        String messageId = notify.publish(topic, NotifyFixture.complianceEvent(instance, "NON_COMPLIANT", "CRITICAL"));
        await().atMost(WAIT).until(() -> receiver.requests.size() == 3);
        String dashboard = notify.server.endpoint() + "/dashboard/instances/" + instance;
        String title = "Patch compliance NON_COMPLIANT: web-1 (" + instance + ")";

        Receiver.Request slackRequest = receiver.to("/slack").getFirst();
        assertThat(slackRequest.header("content-type")).startsWith("application/json");
        assertThat(slackRequest.header("X-Patchtide-Delivery-Id")).matches("\\d+");
        JsonNode slack = NotifyFixture.JSON.readTree(slackRequest.body());
        assertThat(slack.path("text").asText()).isEqualTo(title);
        JsonNode blocks = slack.path("blocks");
        assertThat(blocks.get(0).path("type").asText()).isEqualTo("header");
        assertThat(blocks.get(0).path("text").path("type").asText()).isEqualTo("plain_text");
        assertThat(blocks.get(0).path("text").path("text").asText()).isEqualTo(title);
        assertThat(blocks.get(1).path("text").path("text").asText())
                .isEqualTo("aws.ssm reported Configuration Compliance State Change at 2026-11-23T10:00:00Z.");
        JsonNode fields = blocks.get(2).path("fields");
        assertThat(fields.findValuesAsText("text"))
                .contains("*compliance-status*\nNON_COMPLIANT", "*severity*\nCRITICAL", "*compliance-type*\nPatch")
                .noneMatch(t -> t.contains("resource-id"));
        assertThat(blocks.get(3).path("text").path("type").asText()).isEqualTo("mrkdwn");
        assertThat(blocks.get(3).path("text").path("text").asText())
                .isEqualTo("*<" + dashboard + "|web-1 (" + instance + ")>*\n"
                        + "NON_COMPLIANT, CRITICAL, 1 missing (0 critical, 1 security), reboot pending");
        assertThat(blocks.get(4).path("type").asText()).isEqualTo("actions");
        assertThat(blocks.get(4).path("elements").get(0).path("url").asText()).isEqualTo(dashboard);
        assertThat(blocks.get(5).path("type").asText()).isEqualTo("context");
        assertThat(blocks.get(5).path("elements").get(0).path("text").asText())
                .isEqualTo("Topic patch-alerts · message " + messageId);

        JsonNode teams =
                NotifyFixture.JSON.readTree(receiver.to("/teams").getFirst().body());
        assertThat(teams.path("type").asText()).isEqualTo("message");
        JsonNode attachment = teams.path("attachments").get(0);
        assertThat(attachment.path("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
        assertThat(attachment.path("contentUrl").isNull()).isTrue();
        JsonNode card = attachment.path("content");
        assertThat(card.path("type").asText()).isEqualTo("AdaptiveCard");
        assertThat(card.path("version").asText()).isEqualTo("1.4");
        assertThat(card.path("$schema").asText()).isEqualTo("http://adaptivecards.io/schemas/adaptive-card.json");
        JsonNode body = card.path("body");
        assertThat(body.get(0).path("type").asText()).isEqualTo("TextBlock");
        assertThat(body.get(0).path("text").asText()).isEqualTo(title);
        assertThat(body.get(0).path("weight").asText()).isEqualTo("Bolder");
        assertThat(body.get(2).path("type").asText()).isEqualTo("FactSet");
        assertThat(body.get(2).path("facts").findValuesAsText("title"))
                .contains("compliance-status", "severity", "patch-baseline-id");
        assertThat(body.get(2).path("facts").findValuesAsText("value")).contains("NON_COMPLIANT", "CRITICAL");
        assertThat(body.get(3).path("text").asText())
                .isEqualTo("[web-1 (" + instance + ")](" + dashboard + "): "
                        + "NON_COMPLIANT, CRITICAL, 1 missing (0 critical, 1 security), reboot pending");
        assertThat(card.path("actions").get(0).path("type").asText()).isEqualTo("Action.OpenUrl");
        assertThat(card.path("actions").get(0).path("url").asText()).isEqualTo(dashboard);

        Receiver.Request ticketRequest = receiver.to("/rest/api/2/issue").getFirst();
        assertThat(ticketRequest.header("authorization")).isEqualTo("Basic b3BzOnRva2Vu");
        assertThat(ticketRequest.header("content-type")).isEqualTo("application/json");
        JsonNode fieldsOfIssue =
                NotifyFixture.JSON.readTree(ticketRequest.body()).path("fields");
        assertThat(fieldsOfIssue.path("project").path("key").asText()).isEqualTo("OPS");
        assertThat(fieldsOfIssue.path("issuetype").path("name").asText()).isEqualTo("Task");
        assertThat(fieldsOfIssue.path("summary").asText()).isEqualTo(title);
        assertThat(fieldsOfIssue.path("description").asText())
                .startsWith(title + "\n\naws.ssm reported")
                .contains("severity: CRITICAL\n")
                .contains("- web-1 (" + instance + "): NON_COMPLIANT, CRITICAL, 1 missing")
                .contains(dashboard);
        // Secrets are not shown back.
        assertThat(notify.call("GetSubscriptionAttributes", Map.of("SubscriptionArn", ticketArn))
                        .path("Attributes")
                        .path("TicketAuthorization")
                        .asText())
                .isEqualTo("****");
    }

    @Test
    void digestOfSeveralInstancesListsEachWithItsNameAndLink() throws Exception {
        String web = notify.scannedInstance("web-2", false);
        String db = notify.scannedInstance("db-2", true);
        notify.subscribe(topic, "teams", receiver.url("/teams"), Map.of());
        notify.publish(
                topic,
                """
                {"version":"0","id":"2","detail-type":"Non-compliant Instances Digest","source":"patchtide.compliance",\
                "account":"123456789012","time":"2026-11-23T08:00:00Z","region":"us-east-1","resources":[],\
                "detail":{"instances":[{"instance-id":"%s"},{"instance-id":"%s"}],"count":2}}"""
                        .formatted(web, db));
        await().atMost(WAIT).until(() -> receiver.requests.size() == 1);
        JsonNode body = NotifyFixture.JSON
                .readTree(receiver.to("/teams").getFirst().body())
                .path("attachments")
                .get(0)
                .path("content")
                .path("body");
        assertThat(body.get(0).path("text").asText()).isEqualTo("Non-compliant Instances Digest: 2 instances");
        assertThat(body.get(2).path("facts").get(0).path("title").asText()).isEqualTo("count");
        assertThat(body.get(3).path("text").asText())
                .isEqualTo("[web-2 (" + web + ")](" + notify.server.endpoint() + "/dashboard/instances/" + web
                        + "): 1 missing (0 critical, 1 security)");
        assertThat(body.get(4).path("text").asText())
                .isEqualTo("[db-2 (" + db + ")](" + notify.server.endpoint() + "/dashboard/instances/" + db
                        + "): 1 missing (0 critical, 1 security), reboot pending");
    }

    @Test
    void genericMessageRendersAsSubjectAndBody() throws Exception {
        notify.subscribe(topic, "slack", receiver.url("/slack"), Map.of());
        notify.call("Publish", Map.of("TopicArn", topic, "Subject", "Window finished", "Message", "12 hosts patched."));
        await().atMost(WAIT).until(() -> receiver.requests.size() == 1);
        JsonNode blocks = NotifyFixture.JSON
                .readTree(receiver.to("/slack").getFirst().body())
                .path("blocks");
        assertThat(blocks.get(0).path("text").path("text").asText()).isEqualTo("Window finished");
        assertThat(blocks.get(1).path("text").path("text").asText()).isEqualTo("12 hosts patched.");
        assertThat(blocks.get(2).path("type").asText()).isEqualTo("context");
    }
}
