package dev.patchtide.server.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/**
 * The built-in alerts end to end: a real agent-style scan (or missed heartbeats) makes the server emit its
 * event, the alert's rule routes it to a topic, and Slack, Teams (loopback receivers) or email (GreenMail)
 * get the message.
 */
class BuiltInAlertsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MutableClock clock = MutableClock.ofNow();
    private NotifyFixture notify;
    private Receiver receiver;
    private GreenMail smtp;

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
        if (notify != null) {
            notify.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    @Test
    void complianceAlertTellsSlackWhichInstanceTurnedNonCompliantAndWhatItMisses() throws Exception {
        notify = new NotifyFixture(clock);
        receiver = new Receiver();
        String topic = notify.createTopic("compliance-alerts");
        notify.subscribe(topic, "slack", receiver.url("/slack"), Map.of());
        JsonNode enabled = notify.admin.call(
                "Patchtide.EnableBuiltInAlert", Map.of("Alert", "compliance", "Topic", "compliance-alerts"));
        assertThat(enabled.path("Enabled").asBoolean()).isTrue();
        assertThat(enabled.path("RuleName").asText()).isEqualTo("patchtide-compliance");
        assertThat(enabled.path("TopicArn").asText()).isEqualTo(topic);
        // An ordinary rule, as EventBridge shows it.
        JsonNode rule = notify.admin.call("AWSEvents.DescribeRule", Map.of("Name", "patchtide-compliance"));
        assertThat(NotifyFixture.JSON.readTree(rule.path("EventPattern").asText()))
                .isEqualTo(
                        NotifyFixture.JSON.readTree(
                                "{\"source\":[\"aws.ssm\"],\"detail-type\":[\"Configuration Compliance State Change\"],"
                                        + "\"detail\":{\"compliance-type\":[\"Patch\"],\"compliance-status\":[\"non_compliant\"]}}"));

        String instance = notify.scannedInstance("web-7", false);

        await().atMost(WAIT).until(() -> receiver.to("/slack").size() == 1);
        JsonNode slack =
                NotifyFixture.JSON.readTree(receiver.to("/slack").getFirst().body());
        assertThat(slack.path("text").asText()).isEqualTo("Patch compliance NON_COMPLIANT: web-7 (" + instance + ")");
        assertThat(slack.path("blocks").get(3).path("text").path("text").asText())
                .contains("web-7 (" + instance + ")")
                .endsWith("NON_COMPLIANT, UNSPECIFIED, 1 missing (0 critical, 1 security)");
        // One compliance change, and everything it led to delivered: one message, not a second.
        notify.server.awaitCaughtUp();
        assertThat(events("Configuration Compliance State Change")).isEqualTo(1);
        assertThat(receiver.to("/slack")).hasSize(1);

        notify.admin.call("Patchtide.DisableBuiltInAlert", Map.of("Alert", "compliance"));
        assertThatThrownBy(() -> notify.admin.call("AWSEvents.DescribeRule", Map.of("Name", "patchtide-compliance")))
                .isInstanceOf(ApiCallException.class)
                .hasMessageContaining("ResourceNotFoundException");
        JsonNode listed = notify.admin.call("Patchtide.ListBuiltInAlerts", Map.of());
        assertThat(listed.path("Alerts").findValuesAsText("Alert"))
                .containsExactly("compliance", "reboot-pending", "connection-lost");
        assertThat(listed.path("Alerts").findValues("Enabled")).allMatch(v -> !v.asBoolean());
    }

    @Test
    void rebootPendingReachesTeamsOnceThenAfterTheReminderPeriodAndAgainWhenItComesBack() throws Exception {
        notify = new NotifyFixture(clock);
        receiver = new Receiver();
        String topic = notify.createTopic("reboots");
        notify.subscribe(topic, "teams", receiver.url("/teams"), Map.of());
        JsonNode enabled = notify.admin.call(
                "Patchtide.EnableBuiltInAlert",
                Map.of("Alert", "reboot-pending", "Topic", topic, "RemindAfter", "P7D"));
        assertThat(enabled.path("RemindAfter").asText()).isEqualTo("PT168H");
        FakeAgent agent = agent("db-3");

        for (int day = 0; day < 3; day++) {
            scan(agent, true);
            // Each day's event is routed on that day's clock: the reminder period counts from when the first
            // message went out, and a fan-out that lagged behind the moved clock would date it days later.
            notify.server.awaitCaughtUp();
            clock.advance(Duration.ofDays(1));
        }
        await().atMost(WAIT).until(() -> receiver.to("/teams").size() == 1);
        // All three pending events have gone through the rule and the topic: the later two were held back.
        notify.server.awaitCaughtUp();
        assertThat(receiver.to("/teams")).hasSize(1);
        assertThat(receiver.to("/teams").getFirst().body())
                .contains("Reboot Pending State Change")
                .contains(agent.instanceId())
                .contains("db-3");
        assertThat(events("Reboot Pending State Change")).isEqualTo(3);

        // A week after the message: a reminder.
        clock.advance(Duration.ofDays(5));
        scan(agent, true);
        await().atMost(WAIT).until(() -> receiver.to("/teams").size() == 2);

        // Rebooted: told once that it cleared; a new pending reboot is news again.
        scan(agent, false);
        scan(agent, false);
        await().atMost(WAIT).until(() -> receiver.to("/teams").size() == 3);
        scan(agent, true);
        await().atMost(WAIT).until(() -> receiver.to("/teams").size() == 4);
        notify.server.awaitCaughtUp();
        assertThat(receiver.to("/teams")).hasSize(4);
        assertThat(receiver.to("/teams").get(2).body())
                .contains("\"reboot-pending\"")
                .contains("false");
        assertThat(receiver.to("/teams").get(3).body()).contains("true");
        // Five pending scans and one clearing were published; the clean scan after it was not.
        assertThat(events("Reboot Pending State Change")).isEqualTo(6);

        assertThatThrownBy(() -> notify.admin.call(
                        "Patchtide.EnableBuiltInAlert",
                        Map.of("Alert", "compliance", "Topic", topic, "RemindAfter", "P1D")))
                .hasMessageContaining("RemindAfter applies to the reboot-pending alert only");
        assertThatThrownBy(() -> notify.admin.call(
                        "Patchtide.EnableBuiltInAlert",
                        Map.of("Alert", "reboot-pending", "Topic", topic, "RemindAfter", "weekly")))
                .hasMessageContaining("RemindAfter must be a positive ISO-8601 duration");
        assertThatThrownBy(() ->
                        notify.admin.call("Patchtide.EnableBuiltInAlert", Map.of("Alert", "disk-full", "Topic", topic)))
                .hasMessageContaining("ValidationException")
                .hasMessageContaining("enum value set");
    }

    @Test
    void connectionLostSendsOneEmail() throws Exception {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        int port = smtp.getSmtp().getPort();
        notify = new NotifyFixture(clock, config -> config.withSmtp(
                        SmtpSettings.plain("127.0.0.1", port, "Patchtide <patchtide@example.net>"))
                .withPingPolicy(TestServer.fastHeartbeats()));
        String topic = notify.createTopic("agents");
        notify.call("Subscribe", Map.of("TopicArn", topic, "Protocol", "email", "Endpoint", "ops@example.net"));
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        Matcher link = Pattern.compile("(http://\\S+/notify/confirm\\?\\S+)")
                .matcher(EmailChannelTest.part(smtp.getReceivedMessages()[0], "text/plain"));
        assertThat(link.find()).isTrue();
        HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(link.group(1))).build(), HttpResponse.BodyHandlers.ofString());
        notify.admin.call("Patchtide.EnableBuiltInAlert", Map.of("Alert", "connection-lost", "Topic", topic));
        FakeAgent agent = agent("edge-9");
        agent.report("edge-9.example.net", "10.0.0.9");
        notify.server.awaitCaughtUp();
        assertThat(smtp.getReceivedMessages()).hasSize(1);

        clock.advance(Duration.ofSeconds(3));
        assertThat(smtp.waitForIncomingEmail(10_000, 2)).isTrue();
        // Ping detection has looked at the moved clock again and every mail has been handed over: still two.
        notify.server.awaitCaughtUp();
        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).hasSize(2);
        String body = EmailChannelTest.part(mails[1], "text/plain");
        assertThat(body).contains("Managed Instance Ping Status Change").contains("ConnectionLost");
        assertThat(mails[1].getSubject()).contains(agent.instanceId());
    }

    private FakeAgent agent(String name) throws Exception {
        CreateActivationResponse activation =
                notify.server.ssm().createActivation(b -> b.iamRole("r").defaultInstanceName(name));
        FakeAgent agent =
                FakeAgent.register(notify.server.endpoint(), activation.activationId(), activation.activationCode());
        agent.report(name + ".example.net", "10.0.0.7");
        return agent;
    }

    /** A scan as the agent sends it: one patch installed, waiting for a reboot when {@code pending}. */
    private void scan(FakeAgent agent, boolean pending) throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("InstanceId", agent.instanceId());
        report.put("OperatingSystem", "DEBIAN");
        report.put("OperationStartTime", clock.instant().getEpochSecond());
        report.put("OperationEndTime", clock.instant().getEpochSecond());
        report.put("InstalledCount", 700);
        report.put("RebootRequired", pending);
        report.put("RebootRequiredPackages", pending ? List.of("linux-image-amd64") : List.of());
        report.put("Patches", List.of());
        agent.client().call("Patchtide.PutPatchScanReport", report);
    }

    private int events(String detailType) {
        return notify.server.database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT count(*) FROM events WHERE envelope::jsonb ->> 'detail-type' = :type")
                .bind("type", detailType)
                .mapTo(Integer.class)
                .one());
    }
}
