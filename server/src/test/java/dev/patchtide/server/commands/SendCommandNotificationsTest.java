package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.connections.LoopbackReceiver;
import dev.patchtide.server.notify.SmtpSettings;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import software.amazon.awssdk.services.ssm.model.NotificationEvent;
import software.amazon.awssdk.services.ssm.model.NotificationType;

/**
 * End to end, as wired in production: a real SendCommand with a NotificationConfig, two agents over the wire (one
 * succeeds, one fails), and the outcomes arrive at a real SMTP server (GreenMail) and a loopback Teams receiver;
 * the Run Command events arrive on a rule.
 */
class SendCommandNotificationsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private GreenMail smtp;
    private TestServer server;
    private ApiClient admin;
    private LoopbackReceiver receiver;
    private String tasks;

    @BeforeEach
    void start() throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        int port = smtp.getSmtp().getPort();
        server = TestServer.start(
                MutableClock.ofNow(),
                config -> config.withSmtp(SmtpSettings.plain("127.0.0.1", port, "Patchtide <patchtide@example.net>")));
        admin = server.adminClient();
        receiver = LoopbackReceiver.start();
        tasks = createTopic("patch-window-tasks");
    }

    @AfterEach
    void stop() {
        receiver.close();
        server.close();
        smtp.stop();
    }

    @Test
    void successAndFailureReachEmailAndTeamsAndTheEventsReachARule() throws Exception {
        subscribe(tasks, "email", "ops@example.net", Map.of());
        assertThat(smtp.waitForIncomingEmail(WAIT.toMillis(), 1)).isTrue();
        Matcher token = Pattern.compile("Token=([0-9a-f]{64})")
                .matcher(CommandNotificationsTest.part(smtp.getReceivedMessages()[0], "text/plain"));
        assertThat(token.find()).isTrue();
        admin.call("Patchtide.ConfirmSubscription", Map.of("TopicArn", tasks, "Token", token.group(1)));
        subscribe(tasks, "teams", receiver.url("/teams"), Map.of());
        // The rule's target: a topic whose ticket subscriber receives each event as published.
        String bus = createTopic("command-events");
        subscribe(bus, "ticket", receiver.url("/events"), Map.of("TicketTemplate", "{\"raw\":\"{{Message}}\"}"));
        try (EventBridgeClient events = EventBridgeClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build()) {
            events.putRule(b -> b.name("command-outcomes")
                    .eventPattern(
                            "{\"source\":[\"aws.ssm\"],\"detail-type\":[\"EC2 Command Status-change Notification\","
                                    + "\"EC2 Command Invocation Status-change Notification\"],"
                                    + "\"detail\":{\"status\":[\"Success\",\"Failed\"]}}"));
            events.putTargets(b -> b.rule("command-outcomes")
                    .targets(Target.builder().id("bus").arn(bus).build()));
        }
        FakeAgent web = agent("web-1");
        FakeAgent db = agent("db-1");

        String commandId = server.ssm()
                .sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(web.instanceId(), db.instanceId())
                        .parameters(Map.of("commands", List.of("echo hi")))
                        .notificationConfig(n -> n.notificationArn(tasks)
                                .notificationEvents(NotificationEvent.SUCCESS, NotificationEvent.FAILED)
                                .notificationType(NotificationType.INVOCATION)))
                .command()
                .commandId();
        assertThat(receive(web).path("Invocations")).hasSize(1);
        assertThat(receive(db).path("Invocations")).hasSize(1);
        report(web, commandId, "Success", 0);
        report(db, commandId, "Failed", 1);

        assertThat(smtp.waitForIncomingEmail(WAIT.toMillis(), 3)).isTrue();
        await().atMost(WAIT).until(() -> receiver.received().size() >= 5);
        server.awaitCaughtUp();

        String webLabel = "web-1 (" + web.instanceId() + ")";
        String dbLabel = "db-1 (" + db.instanceId() + ")";
        // InProgress was not asked for: one mail and one card per outcome.
        assertThat(Arrays.stream(smtp.getReceivedMessages()).skip(1).map(SendCommandNotificationsTest::subject))
                .containsExactlyInAnyOrder(
                        "Command AWS-RunShellScript on " + webLabel + ": Success",
                        "Command AWS-RunShellScript on " + dbLabel + ": Failed");
        assertThat(bodies("/teams"))
                .extracting(t -> t.path("attachments")
                        .get(0)
                        .path("content")
                        .path("body")
                        .get(0)
                        .path("text")
                        .asText())
                .containsExactlyInAnyOrder(
                        "Command AWS-RunShellScript on " + webLabel + ": Success",
                        "Command AWS-RunShellScript on " + dbLabel + ": Failed");

        List<JsonNode> onTheRule = bodies("/events").stream()
                .map(t -> json(t.path("raw").asText()))
                .toList();
        assertThat(onTheRule)
                .extracting(
                        e -> e.path("detail-type").asText(),
                        e -> e.path("detail").path("instance-id").asText(),
                        e -> e.path("detail").path("status").asText())
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                "EC2 Command Invocation Status-change Notification", web.instanceId(), "Success"),
                        org.assertj.core.groups.Tuple.tuple(
                                "EC2 Command Invocation Status-change Notification", db.instanceId(), "Failed"),
                        org.assertj.core.groups.Tuple.tuple("EC2 Command Status-change Notification", "", "Failed"));
        assertThat(onTheRule).allSatisfy(e -> {
            assertThat(e.path("source").asText()).isEqualTo("aws.ssm");
            assertThat(e.path("detail").path("command-id").asText()).isEqualTo(commandId);
            assertThat(e.path("detail").path("document-name").asText()).isEqualTo("AWS-RunShellScript");
        });
    }

    private String createTopic(String name) throws Exception {
        return admin.call("Patchtide.CreateTopic", Map.of("Name", name))
                .path("TopicArn")
                .asText();
    }

    private void subscribe(String topic, String protocol, String endpoint, Map<String, String> attributes)
            throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("TopicArn", topic);
        body.put("Protocol", protocol);
        body.put("Endpoint", endpoint);
        body.put("Attributes", attributes);
        admin.call("Patchtide.Subscribe", body);
    }

    private FakeAgent agent(String name) throws Exception {
        CreateActivationResponse activation =
                server.ssm().createActivation(b -> b.iamRole("r").defaultInstanceName(name));
        FakeAgent agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        agent.report(name + ".example.net", "10.0.0.9");
        return agent;
    }

    private static JsonNode receive(FakeAgent agent) throws Exception {
        return agent.client()
                .call(
                        "Patchtide.ReceiveCommandInvocations",
                        Map.of("InstanceId", agent.instanceId(), "WaitTimeSeconds", 5));
    }

    private static void report(FakeAgent agent, String commandId, String status, int code) throws Exception {
        Map<String, Object> update = new LinkedHashMap<>();
        update.put("CommandId", commandId);
        update.put("InstanceId", agent.instanceId());
        update.put("Status", status);
        update.put("ResponseCode", code);
        update.put("StandardOutputContent", "");
        update.put("StandardErrorContent", "");
        agent.client().call("Patchtide.UpdateCommandInvocation", update);
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

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
