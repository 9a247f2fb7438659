package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.patchtide.server.testing.AwsCli;
import dev.patchtide.server.testing.MutableClock;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real AWS CLI drives topics over SNS's own wire (the query protocol), with a profile written as
 * {@code ./patchtide up} writes it, and an email subscriber on GreenMail's real SMTP server.
 */
class AwsCliSnsTest {
    @TempDir
    static Path profileDir;

    private GreenMail smtp;
    private NotifyFixture notify;
    private AwsCli cli;

    @BeforeEach
    void start() throws IOException {
        Assumptions.assumeTrue(AwsCli.present(), "the aws CLI is not installed: AWS CLI tests skipped");
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        int port = smtp.getSmtp().getPort();
        notify = new NotifyFixture(
                MutableClock.ofNow(),
                config -> config.withSmtp(SmtpSettings.plain("127.0.0.1", port, "Patchtide <patchtide@example.net>")));
        cli = AwsCli.against(profileDir, notify.server);
    }

    @AfterEach
    void stop() {
        if (notify != null) {
            notify.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    @Test
    void emailTopicFromCreateToDeleteThroughTheCli() throws Exception {
        JsonNode created = cli.ok(
                        "sns", "create-topic", "--name", "patch-alerts", "--attributes", "DisplayName=Patch alerts")
                .json();
        String topic = created.path("TopicArn").asText();
        assertThat(topic).isEqualTo("arn:aws:sns:us-east-1:123456789012:patch-alerts");

        JsonNode subscribed = cli.ok(
                        "sns",
                        "subscribe",
                        "--topic-arn",
                        topic,
                        "--protocol",
                        "email",
                        "--notification-endpoint",
                        "ops@example.net")
                .json();
        assertThat(subscribed.path("SubscriptionArn").asText()).isEqualTo("pending confirmation");

        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage confirmation = smtp.getReceivedMessages()[0];
        assertThat(confirmation.getAllRecipients()[0].toString()).isEqualTo("ops@example.net");
        Matcher token =
                Pattern.compile("Token=([0-9a-f]{64})").matcher(EmailChannelTest.part(confirmation, "text/plain"));
        assertThat(token.find()).isTrue();
        String subscription = cli.ok("sns", "confirm-subscription", "--topic-arn", topic, "--token", token.group(1))
                .json()
                .path("SubscriptionArn")
                .asText();
        assertThat(subscription).startsWith(topic + ":");

        JsonNode listed = cli.ok("sns", "list-subscriptions-by-topic", "--topic-arn", topic)
                .json()
                .path("Subscriptions");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("SubscriptionArn").asText()).isEqualTo(subscription);
        assertThat(listed.get(0).path("Protocol").asText()).isEqualTo("email");
        assertThat(listed.get(0).path("Endpoint").asText()).isEqualTo("ops@example.net");
        assertThat(listed.get(0).path("Owner").asText()).isEqualTo("123456789012");
        assertThat(listed.get(0).path("TopicArn").asText()).isEqualTo(topic);

        JsonNode attributes = cli.ok("sns", "get-topic-attributes", "--topic-arn", topic)
                .json()
                .path("Attributes");
        assertThat(attributes.path("DisplayName").asText()).isEqualTo("Patch alerts");
        assertThat(attributes.path("SubscriptionsConfirmed").asText()).isEqualTo("1");
        assertThat(attributes.path("SubscriptionsPending").asText()).isEqualTo("0");

        String messageId = cli.ok(
                        "sns",
                        "publish",
                        "--topic-arn",
                        topic,
                        "--subject",
                        "Window mw-1 Success",
                        "--message",
                        "Patched 4 of 4 & rebooted <none>.",
                        "--message-attributes",
                        "{\"window\":{\"DataType\":\"String\",\"StringValue\":\"mw-1\"}}")
                .json()
                .path("MessageId")
                .asText();
        assertThat(messageId).matches("[0-9a-f-]{36}");
        assertThat(smtp.waitForIncomingEmail(10_000, 2)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[1];
        assertThat(mail.getSubject()).isEqualTo("Window mw-1 Success");
        assertThat(EmailChannelTest.part(mail, "text/plain"))
                .startsWith("Window mw-1 Success\r\n\r\nPatched 4 of 4 & rebooted <none>.\r\n");

        assertThat(cli.ok(
                                "sns",
                                "set-subscription-attributes",
                                "--subscription-arn",
                                subscription,
                                "--attribute-name",
                                "FilterPolicy",
                                "--attribute-value",
                                "{\"window\":[\"mw-2\"]}")
                        .out())
                .isEmpty();
        JsonNode subscriptionAttributes = cli.ok(
                        "sns", "get-subscription-attributes", "--subscription-arn", subscription)
                .json()
                .path("Attributes");
        assertThat(subscriptionAttributes.path("FilterPolicy").asText()).isEqualTo("{\"window\":[\"mw-2\"]}");
        assertThat(subscriptionAttributes.path("PendingConfirmation").asText()).isEqualTo("false");

        assertThat(cli.ok("sns", "list-topics").json().path("Topics").findValuesAsText("TopicArn"))
                .containsExactly(topic);

        cli.ok("sns", "unsubscribe", "--subscription-arn", subscription);
        assertThat(cli.ok("sns", "list-subscriptions").json().path("Subscriptions"))
                .isEmpty();
        cli.ok("sns", "delete-topic", "--topic-arn", topic);
        assertThat(cli.ok("sns", "list-topics").json().path("Topics")).isEmpty();
    }

    @Test
    void errorsCarrySnsCodes() throws Exception {
        AwsCli.Result missing =
                cli.run("sns", "get-topic-attributes", "--topic-arn", "arn:aws:sns:us-east-1:123456789012:nope");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err())
                .contains("An error occurred (NotFound) when calling the GetTopicAttributes operation:"
                        + " Topic does not exist");

        AwsCli.Result badArn = cli.run("sns", "publish", "--topic-arn", "not-an-arn", "--message", "hi");
        assertThat(badArn.exit()).isNotZero();
        assertThat(badArn.err()).contains("(InvalidParameter)").contains("TopicArn");

        AwsCli.Result badName = cli.run("sns", "create-topic", "--name", "no spaces please");
        assertThat(badName.err()).contains("(InvalidParameter)").contains("Topic Name");
    }
}
