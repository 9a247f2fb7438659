package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.connections.LoopbackReceiver;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.ConnectionAuthorizationType;
import software.amazon.awssdk.services.eventbridge.model.ConnectionState;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * {@code arn:aws:states:::http:invoke} through the AWS SDK's SfnClient against a real server, calling real loopback
 * receivers through EventBridge connections made with the SDK's EventBridge client.
 */
@SuppressWarnings("unchecked") // the SDK's parameter builders take Consumer<Builder>... varargs
class HttpInvokeTest {
    static final MutableClock clock = MutableClock.ofNow();
    static TestServer server;
    static SfnClient sfn;
    static EventBridgeClient events;
    static LoopbackReceiver receiver;

    @BeforeAll
    static void start() {
        server = TestServer.start(clock);
        sfn = SfnClients.sfn(server);
        events = WorkflowCalls.events(server);
        receiver = LoopbackReceiver.start();
    }

    @AfterAll
    static void stop() {
        receiver.close();
        events.close();
        sfn.close();
        server.close();
    }

    static String run(String machineName, String definition, String input) {
        String machine = WorkflowCalls.machine(sfn, machineName, definition);
        return sfn.startExecution(b -> b.stateMachineArn(machine).input(input)).executionArn();
    }

    static DescribeExecutionResponse awaitEnd(String execution) {
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        sfn.describeExecution(b -> b.executionArn(execution)).status() != ExecutionStatus.RUNNING);
        return sfn.describeExecution(b -> b.executionArn(execution));
    }

    static JsonNode json(String text) throws Exception {
        return ApiJson.documents().readTree(text);
    }

    static String task(String parameters) {
        return """
                {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                  "Parameters": %s, "End": true}}}
                """
                .formatted(parameters);
    }

    @Test
    void callsThroughAnApiKeyConnectionAndAnswersTheHttpTaskShape() throws Exception {
        String connection = events.createConnection(b -> b.name("api-key-conn")
                        .authorizationType(ConnectionAuthorizationType.API_KEY)
                        .authParameters(a -> a.apiKeyAuthParameters(
                                        k -> k.apiKeyName("x-api-key").apiKeyValue("key-secret"))
                                .invocationHttpParameters(p -> p.headerParameters(
                                                h -> h.key("X-Conn").value("from-connection"))
                                        .queryStringParameters(
                                                q -> q.key("tenant").value("acme"))
                                        .bodyParameters(x -> x.key("source").value("patchtide")))))
                .connectionArn();
        receiver.otherwise(r -> r.path().equals("/api-key")
                ? new LoopbackReceiver.Answer(200, "{\"ok\": true, \"seen\": 2}")
                : new LoopbackReceiver.Answer(404, "{}"));
        String execution = run(
                "http-api-key",
                task(
                        """
                        {"ApiEndpoint": "%s", "Method": "POST",
                         "Authentication": {"ConnectionArn": "%s"},
                         "Headers": {"X-Team": "ops"},
                         "QueryParameters": {"page": "2"},
                         "RequestBody": {"text.$": "$.text"}}
                        """
                                .formatted(receiver.url("/api-key"), connection)),
                "{\"text\": \"2 hosts need a reboot\"}");

        DescribeExecutionResponse ended = awaitEnd(execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode output = json(ended.output());
        assertThat(output.path("StatusCode").asInt()).isEqualTo(200);
        assertThat(output.path("StatusText").asText()).isEqualTo("OK");
        assertThat(output.path("ResponseBody")).isEqualTo(json("{\"ok\": true, \"seen\": 2}"));
        assertThat(output.path("Headers").path("content-type").get(0).asText()).isEqualTo("application/json");

        LoopbackReceiver.Request call = receiver.received().stream()
                .filter(r -> r.path().equals("/api-key"))
                .findFirst()
                .orElseThrow();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.query()).contains("page=2").contains("tenant=acme");
        assertThat(call.header("x-api-key")).isEqualTo("key-secret");
        assertThat(call.header("X-Conn")).isEqualTo("from-connection");
        assertThat(call.header("X-Team")).isEqualTo("ops");
        assertThat(call.header("User-Agent")).isEqualTo("Amazon|StepFunctions|HttpInvoke|" + TestServer.REGION);
        assertThat(call.header("Content-Type")).isEqualTo("application/json; charset=UTF-8");
        assertThat(json(call.body()))
                .isEqualTo(json("{\"text\": \"2 hosts need a reboot\", \"source\": \"patchtide\"}"));
        assertThat(WorkflowCalls.types(sfn, execution))
                .containsExactly(
                        HistoryEventType.EXECUTION_STARTED,
                        HistoryEventType.TASK_STATE_ENTERED,
                        HistoryEventType.TASK_SCHEDULED,
                        HistoryEventType.TASK_STARTED,
                        HistoryEventType.TASK_SUCCEEDED,
                        HistoryEventType.TASK_STATE_EXITED,
                        HistoryEventType.EXECUTION_SUCCEEDED);
        HistoryEvent scheduled =
                sfn.getExecutionHistory(b -> b.executionArn(execution)).events().get(2);
        assertThat(scheduled.taskScheduledEventDetails().resourceType()).isEqualTo("http");
        assertThat(scheduled.taskScheduledEventDetails().resource()).isEqualTo("invoke");
    }

    @Test
    void basicConnectionAndUrlEncodedBodyWithTheChosenArrayFormat() throws Exception {
        String connection = events.createConnection(b -> b.name("basic-conn")
                        .authorizationType(ConnectionAuthorizationType.BASIC)
                        .authParameters(a ->
                                a.basicAuthParameters(k -> k.username("svc").password("pw"))))
                .connectionArn();
        receiver.otherwise(r -> new LoopbackReceiver.Answer(201, "{}"));
        String execution = run(
                "http-basic-form",
                task(
                        """
                        {"ApiEndpoint": "%s", "Method": "PUT",
                         "Authentication": {"ConnectionArn": "%s"},
                         "RequestBody": {"name": "web 1", "tags": ["a", "b"], "owner": {"team": "ops"}},
                         "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                                       "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}}}
                        """
                                .formatted(receiver.url("/form"), connection)),
                "{}");

        DescribeExecutionResponse ended = awaitEnd(execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(json(ended.output()).path("StatusText").asText()).isEqualTo("Created");
        LoopbackReceiver.Request call = receiver.received().stream()
                .filter(r -> r.path().equals("/form"))
                .findFirst()
                .orElseThrow();
        assertThat(call.method()).isEqualTo("PUT");
        assertThat(call.header("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("svc:pw".getBytes(StandardCharsets.UTF_8)));
        assertThat(call.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(call.body()).isEqualTo("name=web+1&tags%5B%5D=a&tags%5B%5D=b&owner%5Bteam%5D=ops");
    }

    @Test
    void oauthConnectionSendsItsTokenAndFetchesANewOneAfterA401() throws Exception {
        AtomicInteger issued = new AtomicInteger();
        receiver.otherwise(r -> switch (r.path()) {
            case "/token" ->
                new LoopbackReceiver.Answer(
                        200, "{\"access_token\":\"tok-" + issued.incrementAndGet() + "\",\"expires_in\":3600}");
            // The first token is refused, as a revoked one is.
            case "/oauth-api" ->
                new LoopbackReceiver.Answer(
                        "Bearer tok-1".equals(r.header("Authorization")) ? 401 : 200, "{\"done\":1}");
            default -> new LoopbackReceiver.Answer(404, "{}");
        });
        String connection = events.createConnection(b -> b.name("oauth-conn")
                        .authorizationType(ConnectionAuthorizationType.OAUTH_CLIENT_CREDENTIALS)
                        .authParameters(a -> a.oAuthParameters(o -> o.authorizationEndpoint(receiver.url("/token"))
                                .httpMethod("POST")
                                .clientParameters(c -> c.clientID("client").clientSecret("secret")))))
                .connectionArn();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        events.describeConnection(b -> b.name("oauth-conn")).connectionState()
                                == ConnectionState.AUTHORIZED);

        String execution = run(
                "http-oauth",
                task(
                        """
                        {"ApiEndpoint": "%s", "Method": "GET", "Authentication": {"ConnectionArn": "%s"}}
                        """
                                .formatted(receiver.url("/oauth-api"), connection)),
                "{}");

        DescribeExecutionResponse ended = awaitEnd(execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        List<String> bearers = receiver.received().stream()
                .filter(r -> r.path().equals("/oauth-api"))
                .map(r -> r.header("Authorization"))
                .toList();
        assertThat(bearers).containsExactly("Bearer tok-1", "Bearer tok-2");
    }

    @Test
    void aStatusOtherThan2xxFailsWithItsCodeAndTheAnswerAsCauseAndRetryDecides() throws Exception {
        String connection = events.createConnection(
                        b -> b.name("status-conn").authorizationType("NONE").authParameters(a -> {}))
                .connectionArn();
        AtomicInteger calls = new AtomicInteger();
        receiver.otherwise(r -> r.path().equals("/busy")
                ? new LoopbackReceiver.Answer(
                        calls.incrementAndGet() == 1 ? 429 : 404, "{\"message\":\"no such hook\"}")
                : new LoopbackReceiver.Answer(404, "{}"));
        String definition =
                """
                {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                  "Parameters": {"ApiEndpoint": "%s", "Method": "POST", "Authentication": {"ConnectionArn": "%s"},
                                 "RequestBody": "plain text"},
                  "Retry": [{"ErrorEquals": ["States.Http.StatusCode.429"], "IntervalSeconds": 5, "MaxAttempts": 2}],
                  "End": true}}}
                """
                        .formatted(receiver.url("/busy"), connection);
        String execution = run("http-status", definition, "{}");

        // The 429 is retried after 5 s of the server's clock; the 404 then is not.
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        calls.get() == 1 && WorkflowCalls.types(sfn, execution).contains(HistoryEventType.TASK_FAILED));
        clock.advance(Duration.ofSeconds(6));
        server.node().workflows().effects().wake();
        DescribeExecutionResponse ended = awaitEnd(execution);

        assertThat(calls.get()).isEqualTo(2);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(ended.error()).isEqualTo("States.Http.StatusCode.404");
        JsonNode cause = json(ended.cause());
        assertThat(cause.path("StatusCode").asInt()).isEqualTo(404);
        assertThat(cause.path("StatusText").asText()).isEqualTo("Not Found");
        assertThat(cause.path("ResponseBody")).isEqualTo(json("{\"message\":\"no such hook\"}"));
        LoopbackReceiver.Request call = receiver.received().stream()
                .filter(r -> r.path().equals("/busy"))
                .findFirst()
                .orElseThrow();
        assertThat(call.body()).isEqualTo("plain text");
    }

    @Test
    void anAnswerOverTheLimitFailsWithDataLimitExceededAndForbiddenHeadersAreRefused() throws Exception {
        String connection = events.createConnection(
                        b -> b.name("limit-conn").authorizationType("NONE").authParameters(a -> {}))
                .connectionArn();
        String big = "\"" + "x".repeat(HttpInvokeIntegration.LIMIT) + "\"";
        receiver.otherwise(r -> new LoopbackReceiver.Answer(200, big));
        String tooBig = run(
                "http-too-big",
                task(
                        """
                        {"ApiEndpoint": "%s", "Method": "GET", "Authentication": {"ConnectionArn": "%s"}}
                        """
                                .formatted(receiver.url("/big"), connection)),
                "{}");
        DescribeExecutionResponse ended = awaitEnd(tooBig);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(ended.error()).isEqualTo("States.DataLimitExceeded");
        assertThat(ended.cause()).contains("exceeding the maximum number of bytes");

        int before = receiver.received().size();
        String forbidden = run(
                "http-forbidden-header",
                task(
                        """
                        {"ApiEndpoint": "%s", "Method": "GET", "Authentication": {"ConnectionArn": "%s"},
                         "Headers": {"Authorization": "Bearer stolen"}}
                        """
                                .formatted(receiver.url("/never"), connection)),
                "{}");
        DescribeExecutionResponse refused = awaitEnd(forbidden);
        assertThat(refused.error()).isEqualTo("States.Runtime");
        assertThat(refused.cause()).contains("'Authorization' is not allowed");
        assertThat(receiver.received()).hasSize(before);
    }

    @Test
    void anUnknownConnectionAndAnUnreachableEndpointFailWithoutClassNames() throws Exception {
        String unknown = run(
                "http-unknown-connection",
                task(
                        """
                        {"ApiEndpoint": "%s", "Method": "GET",
                         "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:000000000000:connection/nope/1"}}
                        """
                                .formatted(receiver.url("/x"))),
                "{}");
        DescribeExecutionResponse missing = awaitEnd(unknown);
        assertThat(missing.error()).isEqualTo("Events.ConnectionResource.ResourceNotFound");

        String connection = events.createConnection(
                        b -> b.name("down-conn").authorizationType("NONE").authParameters(a -> {}))
                .connectionArn();
        LoopbackReceiver down = LoopbackReceiver.down();
        String unreachable = run(
                "http-unreachable",
                task(
                        """
                        {"ApiEndpoint": "%s", "Method": "GET", "Authentication": {"ConnectionArn": "%s"}}
                        """
                                .formatted(down.url("/x?token=secret"), connection)),
                "{}");
        DescribeExecutionResponse failed = awaitEnd(unreachable);
        assertThat(failed.error()).isEqualTo("States.Http.Socket");
        assertThat(failed.cause())
                .contains("127.0.0.1")
                .doesNotContain("secret")
                .doesNotContain("Exception")
                .doesNotContain("java.");
    }

    /** Seed 000's last state: a Teams incoming webhook (its URL's "@" written %40), through an API key connection. */
    @Test
    void seed000sTeamsCallRunsAsWritten() throws Exception {
        String connection = events.createConnection(b -> b.name("teams-webhook")
                        .authorizationType(ConnectionAuthorizationType.API_KEY)
                        .authParameters(a -> a.apiKeyAuthParameters(
                                k -> k.apiKeyName("teams-webhook").apiKeyValue("unused-by-teams"))))
                .connectionArn();
        receiver.otherwise(r -> new LoopbackReceiver.Answer(200, "1"));
        String webhook = receiver.url("/webhookb2/0f1e%40a2b3/IncomingWebhook/c4d5/e6f7");
        String execution = run(
                "seed-000-teams",
                """
                {"StartAt": "PrepareNonCompliantInstanceList",
                 "States": {
                   "PrepareNonCompliantInstanceList": {"Type": "Pass",
                     "Parameters": {"instances.$": "$.Tags[*].Value"}, "Next": "CallThirdPartyAPI"},
                   "CallThirdPartyAPI": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                     "Parameters": {
                       "ApiEndpoint": "%s",
                       "Method": "POST",
                       "Authentication": {"ConnectionArn": "%s"},
                       "RequestBody": {
                         "@type": "MessageCard", "@context": "http://schema.org/extensions",
                         "summary": "EC2 instances need attention",
                         "text.$": "States.Format('Non-compliant instances: {}', States.JsonToString($.instances))"}},
                     "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 2, "IntervalSeconds": 1,
                                "MaxAttempts": 3, "JitterStrategy": "FULL"}],
                     "End": true}}}
                """
                        .formatted(webhook, connection),
                "{\"Tags\": [{\"Key\": \"Name\", \"Value\": \"web-1\"}, {\"Key\": \"Name\", \"Value\": \"db-1\"}]}");

        DescribeExecutionResponse ended = awaitEnd(execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(json(ended.output()).path("ResponseBody").asInt()).isEqualTo(1);
        LoopbackReceiver.Request call = receiver.received().stream()
                .filter(r -> r.path().startsWith("/webhookb2/"))
                .findFirst()
                .orElseThrow();
        assertThat(call.path()).isEqualTo("/webhookb2/0f1e%40a2b3/IncomingWebhook/c4d5/e6f7");
        assertThat(call.header("teams-webhook")).isEqualTo("unused-by-teams");
        JsonNode card = json(call.body());
        assertThat(card.path("@type").asText()).isEqualTo("MessageCard");
        assertThat(card.path("text").asText()).isEqualTo("Non-compliant instances: [\"web-1\",\"db-1\"]");
    }

    @Test
    void anExpressMachineCallsOutFromStartSyncExecution() throws Exception {
        String connection = events.createConnection(
                        b -> b.name("express-conn").authorizationType("NONE").authParameters(a -> {}))
                .connectionArn();
        receiver.otherwise(r -> new LoopbackReceiver.Answer(200, "{\"express\": true}"));
        String machine = sfn.createStateMachine(b -> b.name("http-express")
                        .type(software.amazon.awssdk.services.sfn.model.StateMachineType.EXPRESS)
                        .roleArn(WorkflowCalls.ROLE)
                        .definition(task(
                                """
                                {"ApiEndpoint": "%s", "Method": "GET", "Authentication": {"ConnectionArn": "%s"}}
                                """
                                        .formatted(receiver.url("/express"), connection))))
                .stateMachineArn();

        var answer = sfn.startSyncExecution(b -> b.stateMachineArn(machine).input("{}"));
        assertThat(answer.statusAsString()).isEqualTo("SUCCEEDED");
        assertThat(json(answer.output()).path("ResponseBody")).isEqualTo(json("{\"express\": true}"));
    }
}
