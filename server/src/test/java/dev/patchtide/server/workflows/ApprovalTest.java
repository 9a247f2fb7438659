package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * {@code patchtide:approval.waitForTaskToken}: the message reaches a real HTTP subscriber on loopback, and its links
 * are followed with a real HTTP client: approved, rejected, and timed out after a reminder and an escalation.
 */
class ApprovalTest {
    static final MutableClock clock = MutableClock.ofNow();
    static final HttpClient http = HttpClient.newHttpClient();
    static final Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();
    static TestServer server;
    static SfnClient sfn;
    static SnsClient sns;
    static HttpServer receiver;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(clock);
        sfn = SfnClients.sfn(server);
        sns = SfnClients.sns(server);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            JsonNode body = ApiJson.documents().readTree(exchange.getRequestBody());
            received.computeIfAbsent(exchange.getRequestURI().getPath(), k -> new CopyOnWriteArrayList<>())
                    .add(body);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.stop(0);
        sns.close();
        sfn.close();
        server.close();
    }

    /** A topic with one confirmed HTTP subscription to {@code path} on the loopback receiver. */
    static String topic(String name, String path) throws Exception {
        String arn = sns.createTopic(b -> b.name(name)).topicArn();
        sns.subscribe(b -> b.topicArn(arn)
                .protocol("http")
                .endpoint("http://127.0.0.1:" + receiver.getAddress().getPort() + path));
        JsonNode confirmation = awaitMessage(path, 1);
        assertThat(confirmation.path("Type").asText()).isEqualTo("SubscriptionConfirmation");
        HttpResponse<String> confirmed = http.send(
                HttpRequest.newBuilder(
                                URI.create(confirmation.path("SubscribeURL").asText()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(confirmed.statusCode()).isEqualTo(200);
        return arn;
    }

    /** The {@code n}th message (1-based) the receiver got on {@code path}. */
    static JsonNode awaitMessage(String path, int n) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> received.getOrDefault(path, List.of()).size() >= n);
        return received.get(path).get(n - 1);
    }

    static String link(JsonNode notification, String label) {
        Matcher m = Pattern.compile(label + ":\\s+(\\S+)")
                .matcher(notification.path("Message").asText());
        assertThat(m.find()).as(notification.toString()).isTrue();
        return m.group(1);
    }

    static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String url, String by) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "by=" + URLEncoder.encode(by, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String machine(String name, String topic, String escalation) {
        String definition =
                """
                {"StartAt": "Ask", "States": {
                  "Ask": {"Type": "Task", "Resource": "arn:aws:states:::patchtide:approval.waitForTaskToken",
                    "Parameters": {"TopicArn": "%s", "Subject": "Patch approval",
                      "Message.$": "States.Format('Install 3 patches on {}?', $.host)",
                      "TaskToken.$": "$$.Task.Token", "Approvers": ["owner@example.com"],
                      "ReminderAfterSeconds": 3600, "DeadlineSeconds": 7200, "EscalationTopicArn": "%s"},
                    "TimeoutSeconds": 10800,
                    "Catch": [{"ErrorEquals": ["Approval.Rejected"], "ResultPath": "$.rejection", "Next": "Rejected"}],
                    "ResultPath": "$.approval", "End": true},
                  "Rejected": {"Type": "Pass", "End": true}}}
                """
                        .formatted(topic, escalation);
        return sfn.createStateMachine(
                        b -> b.name(name).definition(definition).roleArn("arn:aws:iam::123456789012:role/workflows"))
                .stateMachineArn();
    }

    static String start(String machine) {
        return sfn.startExecution(b -> b.stateMachineArn(machine).input("{\"host\": \"web-1\"}"))
                .executionArn();
    }

    static DescribeExecutionResponse awaitEnd(String execution) {
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        sfn.describeExecution(b -> b.executionArn(execution)).status() != ExecutionStatus.RUNNING);
        return sfn.describeExecution(b -> b.executionArn(execution));
    }

    @Test
    void approveLinkAsksFirstThenApprovesOnce() throws Exception {
        String topic = topic("approve-owner", "/approve-owner");
        String execution = start(machine("approve", topic, topic("approve-boss", "/approve-boss")));
        JsonNode message = awaitMessage("/approve-owner", 2);
        assertThat(message.path("Type").asText()).isEqualTo("Notification");
        assertThat(message.path("Subject").asText()).isEqualTo("Patch approval");
        assertThat(message.path("Message").asText())
                .contains("Install 3 patches on web-1?")
                .contains("Approvers: owner@example.com");
        String approve = link(message, "Approve");
        String reject = link(message, "Reject");

        HttpResponse<String> confirm = get(approve);
        assertThat(confirm.statusCode()).isEqualTo(200);
        assertThat(confirm.body()).contains("<form method=\"post\"").contains("Install 3 patches on web-1?");
        assertThat(sfn.describeExecution(b -> b.executionArn(execution)).status())
                .as("a GET (a mail scanner's prefetch) decides nothing")
                .isEqualTo(ExecutionStatus.RUNNING);

        HttpResponse<String> tampered = post(approve.replace("/approve?", "/reject?"), "mallory");
        assertThat(tampered.statusCode()).isEqualTo(403);

        HttpResponse<String> done = post(approve, "alice");
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).contains("Approved");
        DescribeExecutionResponse end = awaitEnd(execution);
        assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode approval = ApiJson.documents().readTree(end.output()).path("approval");
        assertThat(approval.path("Decision").asText()).isEqualTo("approve");
        assertThat(approval.path("By").asText()).isEqualTo("alice");
        assertThat(approval.path("At").asText()).isEqualTo(clock.instant().toString());

        assertThat(post(approve, "alice").statusCode()).as("single use").isEqualTo(409);
        HttpResponse<String> late = get(reject);
        assertThat(late.statusCode()).isEqualTo(409);
        assertThat(late.body()).contains("already answered");
    }

    @Test
    void rejectLinkFailsTheTaskWithApprovalRejected() throws Exception {
        String topic = topic("reject-owner", "/reject-owner");
        String execution = start(machine("reject", topic, topic("reject-boss", "/reject-boss")));
        String reject = link(awaitMessage("/reject-owner", 2), "Reject");

        assertThat(post(reject, "").statusCode()).isEqualTo(200);
        DescribeExecutionResponse end = awaitEnd(execution);
        assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode rejection = ApiJson.documents().readTree(end.output()).path("rejection");
        assertThat(rejection.path("Error").asText()).isEqualTo("Approval.Rejected");
        JsonNode cause = ApiJson.documents().readTree(rejection.path("Cause").asText());
        assertThat(cause.path("Decision").asText()).isEqualTo("reject");
        assertThat(cause.has("By")).isFalse();
    }

    @Test
    void unansweredApprovalIsRemindedEscalatedAndTimesOut() throws Exception {
        String owner = topic("late-owner", "/late-owner");
        String boss = topic("late-boss", "/late-boss");
        String execution = start(machine("late", owner, boss));
        String ownersLink = link(awaitMessage("/late-owner", 2), "Approve");

        clock.advance(Duration.ofSeconds(3600));
        server.node().workflows().approvals().wake();
        JsonNode reminder = awaitMessage("/late-owner", 3);
        assertThat(reminder.path("Subject").asText()).isEqualTo("Reminder: Patch approval");
        assertThat(reminder.path("Message").asText()).contains("Install 3 patches on web-1?");
        assertThat(link(reminder, "Approve")).isEqualTo(ownersLink);
        assertThat(received.get("/late-boss"))
                .as("no escalation before the deadline")
                .hasSize(1);

        clock.advance(Duration.ofSeconds(3601));
        server.node().workflows().approvals().wake();
        JsonNode escalation = awaitMessage("/late-boss", 2);
        assertThat(escalation.path("Subject").asText()).isEqualTo("Escalated: Patch approval");
        String bossLink = link(escalation, "Approve");
        assertThat(bossLink).isNotEqualTo(ownersLink);
        HttpResponse<String> expired = get(ownersLink);
        assertThat(expired.statusCode()).isEqualTo(410);
        assertThat(expired.body()).contains("expired");
        assertThat(get(bossLink).statusCode()).as("fresh links").isEqualTo(200);

        clock.advance(Duration.ofSeconds(3600));
        server.node().workflows().effects().wake();
        DescribeExecutionResponse end = awaitEnd(execution);
        assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(end.error()).isEqualTo("States.Timeout");
        HttpResponse<String> ended = post(bossLink, "boss");
        assertThat(ended.statusCode()).isEqualTo(410);
        assertThat(ended.body()).contains("no longer waits");
    }
}
