package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.patchtide.server.testing.MutableClock;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

    @BeforeEach
    void start() throws IOException {
        Assumptions.assumeTrue(cliPresent(), "the aws CLI is not installed: AWS CLI tests skipped");
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        int port = smtp.getSmtp().getPort();
        notify = new NotifyFixture(
                MutableClock.ofNow(),
                config -> config.withSmtp(SmtpSettings.plain("127.0.0.1", port, "Patchtide <patchtide@example.net>")));
        Files.writeString(
                profileDir.resolve("aws-config"),
                "[profile patchtide]\nregion = us-east-1\nendpoint_url = " + notify.server.endpoint()
                        + "\ncli_follow_urlparam = false\n");
        Files.writeString(
                profileDir.resolve("aws-credentials"),
                "[patchtide]\naws_access_key_id = " + notify.server.adminKey().accessKeyId()
                        + "\naws_secret_access_key = "
                        + notify.server.adminKey().secretAccessKey() + "\n");
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
        JsonNode created = aws(
                        "sns", "create-topic", "--name", "patch-alerts", "--attributes", "DisplayName=Patch alerts")
                .json();
        String topic = created.path("TopicArn").asText();
        assertThat(topic).isEqualTo("arn:aws:sns:us-east-1:123456789012:patch-alerts");

        JsonNode subscribed = aws(
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
        String subscription = aws("sns", "confirm-subscription", "--topic-arn", topic, "--token", token.group(1))
                .json()
                .path("SubscriptionArn")
                .asText();
        assertThat(subscription).startsWith(topic + ":");

        JsonNode listed = aws("sns", "list-subscriptions-by-topic", "--topic-arn", topic)
                .json()
                .path("Subscriptions");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("SubscriptionArn").asText()).isEqualTo(subscription);
        assertThat(listed.get(0).path("Protocol").asText()).isEqualTo("email");
        assertThat(listed.get(0).path("Endpoint").asText()).isEqualTo("ops@example.net");
        assertThat(listed.get(0).path("Owner").asText()).isEqualTo("123456789012");
        assertThat(listed.get(0).path("TopicArn").asText()).isEqualTo(topic);

        JsonNode attributes =
                aws("sns", "get-topic-attributes", "--topic-arn", topic).json().path("Attributes");
        assertThat(attributes.path("DisplayName").asText()).isEqualTo("Patch alerts");
        assertThat(attributes.path("SubscriptionsConfirmed").asText()).isEqualTo("1");
        assertThat(attributes.path("SubscriptionsPending").asText()).isEqualTo("0");

        String messageId = aws(
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

        assertThat(aws(
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
        JsonNode subscriptionAttributes = aws("sns", "get-subscription-attributes", "--subscription-arn", subscription)
                .json()
                .path("Attributes");
        assertThat(subscriptionAttributes.path("FilterPolicy").asText()).isEqualTo("{\"window\":[\"mw-2\"]}");
        assertThat(subscriptionAttributes.path("PendingConfirmation").asText()).isEqualTo("false");

        assertThat(aws("sns", "list-topics").json().path("Topics").findValuesAsText("TopicArn"))
                .containsExactly(topic);

        aws("sns", "unsubscribe", "--subscription-arn", subscription);
        assertThat(aws("sns", "list-subscriptions").json().path("Subscriptions"))
                .isEmpty();
        aws("sns", "delete-topic", "--topic-arn", topic);
        assertThat(aws("sns", "list-topics").json().path("Topics")).isEmpty();
    }

    @Test
    void errorsCarrySnsCodes() throws Exception {
        Result missing = run("sns", "get-topic-attributes", "--topic-arn", "arn:aws:sns:us-east-1:123456789012:nope");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err())
                .contains("An error occurred (NotFound) when calling the GetTopicAttributes operation:"
                        + " Topic does not exist");

        Result badArn = run("sns", "publish", "--topic-arn", "not-an-arn", "--message", "hi");
        assertThat(badArn.exit()).isNotZero();
        assertThat(badArn.err()).contains("(InvalidParameter)").contains("TopicArn");

        Result badName = run("sns", "create-topic", "--name", "no spaces please");
        assertThat(badName.err()).contains("(InvalidParameter)").contains("Topic Name");
    }

    record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return NotifyFixture.JSON.readTree(out);
        }
    }

    /** Runs the CLI and requires success. */
    private static Result aws(String... args) throws Exception {
        Result result = run(args);
        assertThat(result.exit()).as(result.err()).isZero();
        return result;
    }

    private static Result run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("aws"));
        command.addAll(List.of(args));
        command.addAll(List.of("--output", "json"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("AWS_CONFIG_FILE", profileDir.resolve("aws-config").toString());
        pb.environment()
                .put(
                        "AWS_SHARED_CREDENTIALS_FILE",
                        profileDir.resolve("aws-credentials").toString());
        pb.environment().put("AWS_PROFILE", "patchtide");
        pb.environment()
                .keySet()
                .removeIf(name -> name.startsWith("AWS_")
                        && !name.equals("AWS_CONFIG_FILE")
                        && !name.equals("AWS_SHARED_CREDENTIALS_FILE")
                        && !name.equals("AWS_PROFILE"));
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), stdout, new String(err.get(), StandardCharsets.UTF_8));
    }

    private static boolean cliPresent() {
        try {
            Process p = new ProcessBuilder("aws", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
