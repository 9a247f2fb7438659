package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.commands.CommandSpec.NotificationConfig;
import dev.patchtide.server.connections.LoopbackReceiver;
import dev.patchtide.server.notify.Notifications;
import dev.patchtide.server.notify.SmtpSettings;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/**
 * Seed 002's task notifications: a NotificationConfig's topic gets AWS's message JSON for the announced
 * statuses only, and its subscribers see it made readable: email at a real SMTP server (GreenMail), Teams and
 * Slack cards and a ticket at loopback receivers, each once.
 */
class CommandNotificationsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TICKET =
            "{\"summary\":\"{{Subject}}\",\"description\":\"{{Text}}\",\"raw\":\"{{Message}}\"}";

    private GreenMail smtp;
    private MutableClock clock;
    private TestServer server;
    private ApiClient admin;
    private LoopbackReceiver receiver;
    private CommandNotifications listener;
    private String topic;

    @BeforeEach
    void start() throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        int port = smtp.getSmtp().getPort();
        clock = MutableClock.ofNow();
        server = TestServer.start(
                clock,
                config -> config.withSmtp(SmtpSettings.plain("127.0.0.1", port, "Patchtide <patchtide@example.net>")));
        admin = server.adminClient();
        receiver = LoopbackReceiver.start();
        // A publisher over the server's own outbox, so the test can hand the listener status changes of its own.
        Notifications notifications = new Notifications(
                server.database().jdbi(),
                server.deliveries(),
                clock,
                TestServer.REGION,
                "123456789012",
                Optional.empty(),
                server::endpoint);
        listener = new CommandNotifications(notifications.publisher());
        topic = admin.call("Patchtide.CreateTopic", Map.of("Name", "patch-window-tasks"))
                .path("TopicArn")
                .asText();
    }

    @AfterEach
    void stop() {
        receiver.close();
        server.close();
        smtp.stop();
    }

    @Test
    void invocationOutcomesReachEmailTeamsSlackAndTicketReadably() throws Exception {
        String instance = instance("web-1");
        subscribeEmail("ops@example.net");
        subscribe("teams", receiver.url("/teams"), Map.of());
        subscribe("slack", receiver.url("/slack"), Map.of());
        subscribe("ticket", receiver.url("/issue"), Map.of("TicketTemplate", TICKET));
        Optional<NotificationConfig> config =
                Optional.of(new NotificationConfig(topic, List.of("Success", "Failed"), "Invocation"));
        String failed = "11111111-2222-4333-8444-555555555555";
        String succeeded = "66666666-7777-4888-9999-000000000000";
        Instant at = Instant.parse("2026-12-02T08:01:02.345Z");

        change(Changes.invocation(failed, instance, "AWS-RunPatchBaseline", "InProgress", config, at));
        change(Changes.invocation(failed, instance, "AWS-RunPatchBaseline", "Failed", config, at.plusSeconds(60)));
        change(Changes.invocation(succeeded, instance, "AWS-RunPatchBaseline", "Success", config, at.plusSeconds(120)));
        // The command-level changes of an Invocation config are not announced.
        change(Changes.command(failed, "AWS-RunPatchBaseline", "Failed", List.of(instance), config, at));

        assertThat(smtp.waitForIncomingEmail(WAIT.toMillis(), 3)).isTrue();
        await().atMost(WAIT).until(() -> receiver.received().size() >= 6);
        server.awaitCaughtUp();
        // Confirmation + two outcomes; InProgress was not asked for, and each subscriber got each outcome once.
        assertThat(smtp.getReceivedMessages()).hasSize(3);
        assertThat(receiver.received()).hasSize(6);

        String label = "web-1 (" + instance + ")";
        String dashboard = server.endpoint() + "/dashboard/instances/" + instance;
        MimeMessage mail = Arrays.stream(smtp.getReceivedMessages())
                .filter(m -> subject(m).endsWith("Failed"))
                .findFirst()
                .orElseThrow();
        assertThat(mail.getSubject()).isEqualTo("Command AWS-RunPatchBaseline on " + label + ": Failed");
        String text = part(mail, "text/plain").replace("\r\n", "\n");
        assertThat(text)
                .startsWith("Command AWS-RunPatchBaseline on " + label + ": Failed\n\n"
                        + "Run Command: command " + failed + " (AWS-RunPatchBaseline) on " + label
                        + " is Failed at 2026-12-02T08:02:02.345Z.\n\n")
                .contains("Status: Failed\n", "Document: AWS-RunPatchBaseline\n", "Command ID: " + failed + "\n")
                .contains("Requested: 2026-12-02T08:00:00.120Z\n")
                .contains("- " + label + ": Failed\n  " + dashboard + "\n");
        assertThat(part(mail, "text/html"))
                .contains("<h2>Command AWS-RunPatchBaseline on " + label + ": Failed</h2>")
                .contains("<th align=\"left\">Document</th><td>AWS-RunPatchBaseline</td>");
        assertThat(Arrays.stream(smtp.getReceivedMessages()).map(CommandNotificationsTest::subject))
                .contains("Command AWS-RunPatchBaseline on " + label + ": Success");

        List<JsonNode> teams = bodies("/teams");
        assertThat(teams).hasSize(2);
        JsonNode card = teams.stream()
                .map(t -> t.path("attachments").get(0).path("content"))
                .filter(c -> c.path("body").get(0).path("text").asText().endsWith("Failed"))
                .findFirst()
                .orElseThrow();
        JsonNode body = card.path("body");
        assertThat(body.get(0).path("text").asText())
                .isEqualTo("Command AWS-RunPatchBaseline on " + label + ": Failed");
        assertThat(body.get(2).path("type").asText()).isEqualTo("FactSet");
        assertThat(body.get(2).path("facts").findValuesAsText("title"))
                .containsExactly("Status", "Document", "Command ID", "Requested");
        assertThat(body.get(2).path("facts").findValuesAsText("value"))
                .containsExactly("Failed", "AWS-RunPatchBaseline", failed, "2026-12-02T08:00:00.120Z");
        assertThat(body.get(3).path("text").asText()).isEqualTo("[" + label + "](" + dashboard + "): Failed");
        assertThat(card.path("actions").get(0).path("url").asText()).isEqualTo(dashboard);

        List<JsonNode> slack = bodies("/slack");
        assertThat(slack)
                .extracting(s -> s.path("text").asText())
                .containsExactlyInAnyOrder(
                        "Command AWS-RunPatchBaseline on " + label + ": Failed",
                        "Command AWS-RunPatchBaseline on " + label + ": Success");

        // The ticket carries the message as published: AWS's invocation JSON, field for field.
        JsonNode raw = bodies("/issue").stream()
                .map(t -> json(t.path("raw").asText()))
                .filter(m -> m.path("status").asText().equals("Failed"))
                .findFirst()
                .orElseThrow();
        assertThat(fields(raw))
                .containsExactly("commandId", "documentName", "instanceId", "requestedDateTime", "status", "eventTime");
        assertThat(raw.path("commandId").asText()).isEqualTo(failed);
        assertThat(raw.path("instanceId").asText()).isEqualTo(instance);
        assertThat(raw.path("requestedDateTime").asText()).isEqualTo("2026-12-02T08:00:00.120Z");
        assertThat(raw.path("eventTime").asText()).isEqualTo("2026-12-02T08:02:02.345Z");
    }

    @Test
    void commandSummariesForAllEventsNameEveryInstance() throws Exception {
        String web = instance("web-2");
        String db = instance("db-2");
        subscribe("teams", receiver.url("/teams"), Map.of());
        subscribe("ticket", receiver.url("/issue"), Map.of("TicketTemplate", TICKET));
        Optional<NotificationConfig> config = Optional.of(new NotificationConfig(topic, List.of("All"), "Command"));
        String command = "22222222-3333-4444-8555-666666666666";
        Instant at = Instant.parse("2026-12-02T08:00:01Z");

        change(Changes.command(command, "AWS-RunShellScript", "Pending", List.of(web, db), config, at));
        change(Changes.command(command, "AWS-RunShellScript", "InProgress", List.of(web, db), config, at));
        change(Changes.invocation(command, web, "AWS-RunShellScript", "Success", config, at));
        change(Changes.command(command, "AWS-RunShellScript", "TimedOut", List.of(web, db), config, at));

        await().atMost(WAIT).until(() -> receiver.received().size() >= 4);
        server.awaitCaughtUp();
        // Pending is no notification event and the invocation is not of this config's type: two of each.
        assertThat(bodies("/teams"))
                .extracting(t -> t.path("attachments")
                        .get(0)
                        .path("content")
                        .path("body")
                        .get(0)
                        .path("text")
                        .asText())
                .containsExactlyInAnyOrder(
                        "Command AWS-RunShellScript on 2 instances: InProgress",
                        "Command AWS-RunShellScript on 2 instances: TimedOut");
        JsonNode card = bodies("/teams").getFirst().path("attachments").get(0).path("content");
        assertThat(card.path("body").get(2).path("facts").findValuesAsText("title"))
                .containsExactly("Status", "Document", "Command ID", "Instances", "Requested", "Expires after");
        assertThat(card.path("body").get(3).path("text").asText()).startsWith("[web-2 (" + web + ")](");
        assertThat(card.path("body").get(4).path("text").asText()).startsWith("[db-2 (" + db + ")](");

        JsonNode raw = bodies("/issue").stream()
                .map(t -> json(t.path("raw").asText()))
                .filter(m -> m.path("status").asText().equals("TimedOut"))
                .findFirst()
                .orElseThrow();
        assertThat(fields(raw))
                .containsExactly(
                        "commandId",
                        "documentName",
                        "instanceIds",
                        "requestedDateTime",
                        "expiresAfter",
                        "outputS3BucketName",
                        "outputS3KeyPrefix",
                        "status",
                        "eventTime");
        assertThat(raw.path("instanceIds").toString()).isEqualTo("[\"" + web + "\",\"" + db + "\"]");
        assertThat(raw.path("expiresAfter").asText()).isEqualTo("2026-12-02T09:00:00.120Z");
        assertThat(raw.path("eventTime").asText()).isEqualTo("2026-12-02T08:00:01.000Z");
    }

    @Test
    void aSubscriptionsDedupePolicyStillApplies() throws Exception {
        String instance = instance("web-3");
        // Seed 002: tell the team once per host and outcome, not at every run that ends the same way.
        subscribe(
                "teams",
                receiver.url("/teams"),
                Map.of("DedupePolicy", "{\"KeyPath\":\"$.instanceId\",\"ConditionPath\":\"$.status\"}"));
        Optional<NotificationConfig> config =
                Optional.of(new NotificationConfig(topic, List.of("Failed", "Success"), "Invocation"));
        Instant at = clock.instant();
        change(Changes.invocation(
                "33333333-0000-4000-8000-000000000001", instance, "AWS-RunPatchBaseline", "Failed", config, at));
        change(Changes.invocation(
                "33333333-0000-4000-8000-000000000002", instance, "AWS-RunPatchBaseline", "Failed", config, at));
        change(Changes.invocation(
                "33333333-0000-4000-8000-000000000003", instance, "AWS-RunPatchBaseline", "Success", config, at));

        await().atMost(WAIT).until(() -> receiver.received().size() >= 2);
        server.awaitCaughtUp();
        assertThat(bodies("/teams"))
                .extracting(t -> t.path("attachments")
                        .get(0)
                        .path("content")
                        .path("body")
                        .get(0)
                        .path("text")
                        .asText())
                .containsExactlyInAnyOrder(
                        "Command AWS-RunPatchBaseline on web-3 (" + instance + "): Failed",
                        "Command AWS-RunPatchBaseline on web-3 (" + instance + "): Success");
    }

    @Test
    void aRolledBackChangeAnnouncesNothing() throws Exception {
        String instance = instance("web-4");
        subscribe("teams", receiver.url("/teams"), Map.of());
        Optional<NotificationConfig> config = Optional.of(new NotificationConfig(topic, List.of("All"), "Invocation"));
        try {
            server.database().jdbi().useTransaction(h -> {
                listener.invocationChanged(
                        h,
                        Changes.invocation(
                                "44444444-0000-4000-8000-000000000001",
                                instance,
                                "AWS-RunShellScript",
                                "Failed",
                                config,
                                clock.instant()));
                throw new IllegalStateException("the invocation's own update failed");
            });
        } catch (IllegalStateException expected) {
            // the transaction rolled back
        }
        int queued = server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM outbox WHERE payload LIKE '%44444444-0000-4000-8000-000000000001%'")
                .mapTo(Integer.class)
                .one());
        assertThat(queued).isZero();
    }

    @Test
    void anInvocationEventRoutedByARuleToTheTopicRendersAsACommandOutcome() throws Exception {
        String instance = instance("web-5");
        subscribe("teams", receiver.url("/teams"), Map.of());
        try (EventBridgeClient events = EventBridgeClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build()) {
            events.putRule(b -> b.name("failed-invocations")
                    .eventPattern("{\"source\":[\"aws.ssm\"],"
                            + "\"detail-type\":[\"EC2 Command Invocation Status-change Notification\"],"
                            + "\"detail\":{\"status\":[\"Failed\"]}}"));
            events.putTargets(b -> b.rule("failed-invocations")
                    .targets(Target.builder().id("tasks").arn(topic).build()));
        }
        CommandEvents bus = new CommandEvents(server.node().events().publisher());
        String command = "55555555-0000-4000-8000-000000000001";
        server.database().jdbi().useTransaction(h -> {
            bus.invocationChanged(
                    h,
                    Changes.invocation(
                            command, instance, "AWS-RunPatchBaseline", "Success", Optional.empty(), clock.instant()));
            bus.invocationChanged(
                    h,
                    Changes.invocation(
                            command, instance, "AWS-RunPatchBaseline", "Failed", Optional.empty(), clock.instant()));
        });

        await().atMost(WAIT).until(() -> receiver.received().size() >= 1);
        server.awaitCaughtUp();
        List<JsonNode> cards = bodies("/teams");
        assertThat(cards).hasSize(1);
        JsonNode body =
                cards.getFirst().path("attachments").get(0).path("content").path("body");
        String label = "web-5 (" + instance + ")";
        assertThat(body.get(0).path("text").asText())
                .isEqualTo("Command AWS-RunPatchBaseline on " + label + ": Failed");
        assertThat(body.get(2).path("facts").findValuesAsText("title"))
                .contains("command-id", "document-name", "status");
        assertThat(body.get(3).path("text").asText())
                .startsWith("[" + label + "](")
                .endsWith("): Failed");
    }

    @Test
    void validateNamesTheMemberForAnUnknownTopicABadEventAndABadType() {
        String path = "taskInvocationParameters.runCommand.notificationConfig";
        server.database().jdbi().useHandle(h -> {
            CommandNotifications.validate(
                    h, new NotificationConfig(topic, List.of("Success", "Failed", "TimedOut"), "Invocation"), path);
            // No topic: nothing to announce, nothing to check against.
            CommandNotifications.validate(h, new NotificationConfig(null, List.of(), null), path);

            String missing = "arn:aws:sns:us-east-1:123456789012:no-such-topic";
            assertThatThrownBy(() -> CommandNotifications.validate(
                            h, new NotificationConfig(missing, List.of("All"), "Command"), "notificationConfig"))
                    .isInstanceOfSatisfying(ApiException.Invalid.class, e -> assertThat(e.code())
                            .isEqualTo("InvalidNotificationConfig"))
                    .hasMessageContaining("'" + missing + "' at 'notificationConfig.notificationArn'");
            String otherAccount = "arn:aws:sns:us-east-1:999999999999:patch-window-tasks";
            assertThatThrownBy(() -> CommandNotifications.validate(
                            h, new NotificationConfig(otherAccount, List.of("All"), "Command"), "notificationConfig"))
                    .isInstanceOfSatisfying(ApiException.Invalid.class, e -> assertThat(e.code())
                            .isEqualTo("InvalidNotificationConfig"));

            assertThatThrownBy(() -> CommandNotifications.validate(
                            h, new NotificationConfig(topic, List.of("Success", "Sucess"), "Invocations"), path))
                    .isInstanceOfSatisfying(ApiException.Invalid.class, e -> assertThat(e.code())
                            .isEqualTo("ValidationException"))
                    .hasMessageStartingWith("2 validation errors detected: ")
                    .hasMessageContaining("Value 'Sucess' at '" + path + ".notificationEvents.2.member' failed to"
                            + " satisfy constraint: Member must satisfy enum value set: [All, InProgress, Success,"
                            + " TimedOut, Cancelled, Failed]")
                    .hasMessageContaining("Value 'Invocations' at '" + path + ".notificationType'");
        });
    }

    private void change(CommandListener.CommandChange change) {
        server.database().jdbi().useTransaction(h -> listener.commandChanged(h, change));
    }

    private void change(CommandListener.InvocationChange change) {
        server.database().jdbi().useTransaction(h -> listener.invocationChanged(h, change));
    }

    /** A registered instance named {@code name}. */
    private String instance(String name) throws Exception {
        CreateActivationResponse activation =
                server.ssm().createActivation(b -> b.iamRole("r").defaultInstanceName(name));
        FakeAgent agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        agent.report(name + ".example.net", "10.0.0.9");
        return agent.instanceId();
    }

    private void subscribe(String protocol, String endpoint, Map<String, String> attributes) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("TopicArn", topic);
        body.put("Protocol", protocol);
        body.put("Endpoint", endpoint);
        body.put("Attributes", attributes);
        admin.call("Patchtide.Subscribe", body);
    }

    /** Subscribes the address and confirms with the token of the confirmation email. */
    private void subscribeEmail(String address) throws Exception {
        subscribe("email", address, Map.of());
        assertThat(smtp.waitForIncomingEmail(WAIT.toMillis(), 1)).isTrue();
        Matcher token =
                Pattern.compile("Token=([0-9a-f]{64})").matcher(part(smtp.getReceivedMessages()[0], "text/plain"));
        assertThat(token.find()).isTrue();
        admin.call("Patchtide.ConfirmSubscription", Map.of("TopicArn", topic, "Token", token.group(1)));
    }

    private List<JsonNode> bodies(String path) {
        return receiver.received().stream()
                .filter(r -> r.path().equals(path))
                .map(r -> json(r.body()))
                .toList();
    }

    private static JsonNode json(String text) {
        try {
            return ApiJson.documents().readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String part(MimeMessage message, String type) throws Exception {
        Multipart alternatives = (Multipart) message.getContent();
        for (int i = 0; i < alternatives.getCount(); i++) {
            BodyPart part = alternatives.getBodyPart(i);
            if (part.isMimeType(type)) {
                return part.getContent().toString();
            }
        }
        throw new AssertionError("no " + type + " part");
    }
}
