package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.patchtide.server.testing.MutableClock;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real SMTP server (GreenMail on a free loopback port) receives the confirmation and the notification. */
class EmailChannelTest {
    private GreenMail smtp;
    private NotifyFixture notify;

    @BeforeEach
    void start() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        int port = smtp.getSmtp().getPort();
        notify = new NotifyFixture(
                MutableClock.ofNow(),
                config -> config.withSmtp(SmtpSettings.plain("127.0.0.1", port, "Patchtide <patchtide@example.net>")));
    }

    @AfterEach
    void stop() {
        notify.close();
        smtp.stop();
    }

    @Test
    void emailSubscriberConfirmsByLinkThenGetsTheAlertAsTextAndHtml() throws Exception {
        String topic = notify.createTopic("patch-alerts");
        String instance = notify.scannedInstance("db-1", false);
        assertThat(notify.call(
                                "Subscribe",
                                Map.of("TopicArn", topic, "Protocol", "email", "Endpoint", "ops@example.net"))
                        .path("SubscriptionArn")
                        .asText())
                .isEqualTo("pending confirmation");

        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage confirmation = smtp.getReceivedMessages()[0];
        assertThat(confirmation.getSubject()).isEqualTo("Patchtide Notification - Subscription Confirmation");
        assertThat(confirmation.getAllRecipients()[0].toString()).isEqualTo("ops@example.net");
        assertThat(confirmation.getFrom()[0].toString()).isEqualTo("Patchtide <patchtide@example.net>");
        assertThat(confirmation.getHeader("X-Patchtide-Delivery-Id")[0]).matches("\\d+");
        String text = part(confirmation, "text/plain");
        assertThat(text).contains("You have chosen to subscribe to the topic:\r\n" + topic);
        Matcher link = Pattern.compile("(http://\\S+/notify/confirm\\?\\S+)").matcher(text);
        assertThat(link.find()).isTrue();
        assertThat(part(confirmation, "text/html"))
                .contains("href=\"" + link.group(1).replace("&", "&amp;") + "\"");

        HttpResponse<String> page = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(link.group(1))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).contains("Subscription confirmed!");

        notify.publish(topic, NotifyFixture.complianceEvent(instance, "NON_COMPLIANT", "HIGH"));
        assertThat(smtp.waitForIncomingEmail(10_000, 2)).isTrue();
        MimeMessage alert = smtp.getReceivedMessages()[1];
        assertThat(alert.getSubject()).isEqualTo("Patch compliance NON_COMPLIANT: db-1 (" + instance + ")");
        String dashboard = notify.server.endpoint() + "/dashboard/instances/" + instance;
        String body = part(alert, "text/plain").replace("\r\n", "\n");
        assertThat(body)
                .startsWith("Patch compliance NON_COMPLIANT: db-1 (" + instance + ")\n\n"
                        + "aws.ssm reported Configuration Compliance State Change at 2026-11-23T10:00:00Z.\n\n")
                .contains("compliance-status: NON_COMPLIANT\n")
                .contains("severity: HIGH\n")
                .contains("- db-1 (" + instance + "): NON_COMPLIANT, HIGH, 1 missing (0 critical, 1 security)\n  "
                        + dashboard + "\n")
                .contains("If you wish to stop receiving notifications from this topic")
                .contains("/notify/unsubscribe?SubscriptionArn=");
        String html = part(alert, "text/html");
        assertThat(html)
                .contains("<h2>Patch compliance NON_COMPLIANT: db-1 (" + instance + ")</h2>")
                .contains("<th align=\"left\">severity</th><td>HIGH</td>")
                .contains("<a href=\"" + dashboard + "\">db-1 (" + instance + ")</a>");
    }

    @Test
    void plainMessageKeepsItsSubject() throws Exception {
        String topic = notify.createTopic("windows");
        notify.call("Subscribe", Map.of("TopicArn", topic, "Protocol", "email", "Endpoint", "ops@example.net"));
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        String text = part(smtp.getReceivedMessages()[0], "text/plain");
        Matcher token = Pattern.compile("Token=([0-9a-f]{64})").matcher(text);
        assertThat(token.find()).isTrue();
        notify.call("ConfirmSubscription", Map.of("TopicArn", topic, "Token", token.group(1)));

        notify.call(
                "Publish", Map.of("TopicArn", topic, "Subject", "Window mw-1 Success", "Message", "Patched 4 of 4."));
        assertThat(smtp.waitForIncomingEmail(10_000, 2)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[1];
        assertThat(mail.getSubject()).isEqualTo("Window mw-1 Success");
        assertThat(part(mail, "text/plain")).startsWith("Window mw-1 Success\r\n\r\nPatched 4 of 4.\r\n");
    }

    static String part(MimeMessage message, String type) throws Exception {
        Multipart alternatives = (Multipart) message.getContent();
        assertThat(message.getContentType()).startsWith("multipart/alternative");
        for (int i = 0; i < alternatives.getCount(); i++) {
            BodyPart part = alternatives.getBodyPart(i);
            if (part.isMimeType(type)) {
                return part.getContent().toString();
            }
        }
        throw new AssertionError("no " + type + " part");
    }
}
