package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.auth.AccessKeyStore;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sns.SnsClient;

/** An approval's reminder is a stored instant: it comes from the server started again after the one that asked. */
class ApprovalRestartTest {
    private final MutableClock clock = MutableClock.ofNow();
    private final RestartableNode node = RestartableNode.fixedPort(clock);
    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private HttpServer receiver;

    @AfterEach
    void stop() {
        receiver.stop(0);
        node.close();
    }

    private JsonNode awaitMessage(int n) {
        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= n);
        return received.get(n - 1);
    }

    @Test
    void reminderDueWhileTheServerWasDownIsSentAfterRestartAndItsLinkWorks() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            received.add(ApiJson.documents().readTree(exchange.getRequestBody()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        node.start();
        AccessKeyStore.IssuedKey admin = node.admin();
        URI endpoint = node.endpoint();
        HttpClient http = HttpClient.newHttpClient();
        String execution;
        SfnClient sfn = node.sfn();
        try (SnsClient sns = SnsClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(admin.accessKeyId(), admin.secretAccessKey())))
                .build()) {
            String topic = sns.createTopic(b -> b.name("owners")).topicArn();
            sns.subscribe(b -> b.topicArn(topic)
                    .protocol("http")
                    .endpoint("http://127.0.0.1:" + receiver.getAddress().getPort() + "/"));
            http.send(
                    HttpRequest.newBuilder(URI.create(
                                    awaitMessage(1).path("SubscribeURL").asText()))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            String machine = sfn.createStateMachine(b -> b.name("ask-once")
                            .roleArn("arn:aws:iam::123456789012:role/workflows")
                            .definition(
                                    """
                                    {"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
                                      "Resource": "arn:aws:states:::patchtide:approval.waitForTaskToken",
                                      "Parameters": {"TopicArn": "%s", "Message": "Reboot db-1?",
                                        "TaskToken.$": "$$.Task.Token", "ReminderAfterSeconds": 600},
                                      "End": true}}}
                                    """
                                            .formatted(topic)))
                    .stateMachineArn();
            execution = sfn.startExecution(b -> b.stateMachineArn(machine)).executionArn();
            assertThat(awaitMessage(2).path("Message").asText()).contains("Reboot db-1?");
        }

        node.stop();
        clock.advance(Duration.ofSeconds(601));
        node.start();

        JsonNode reminder = awaitMessage(3);
        assertThat(reminder.path("Subject").asText()).startsWith("Reminder: ");
        Matcher approve = Pattern.compile("Approve:\\s+(\\S+)")
                .matcher(reminder.path("Message").asText());
        assertThat(approve.find()).isTrue();
        HttpResponse<String> done = http.send(
                HttpRequest.newBuilder(URI.create(approve.group(1)))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("by=oncall"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(done.statusCode()).isEqualTo(200);
        SfnClient after = node.sfn();
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        after.describeExecution(b -> b.executionArn(execution)).status() == ExecutionStatus.SUCCEEDED);
        assertThat(after.describeExecution(b -> b.executionArn(execution)).output())
                .contains("\"By\":\"oncall\"");
    }
}
