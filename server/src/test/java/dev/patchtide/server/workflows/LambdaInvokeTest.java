package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.connections.LoopbackReceiver;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.ConnectionAuthorizationType;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * {@code arn:aws:states:::lambda:invoke} and bare function ARNs, answered by the HTTP endpoint of the API destination
 * that has the function's name, through the AWS SDK's clients against a real server and a real loopback receiver.
 */
@SuppressWarnings("unchecked") // the SDK's parameter builders take Consumer<Builder>... varargs
class LambdaInvokeTest {
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
        receiver = LoopbackReceiver.start().otherwise(r -> switch (r.path()) {
            case "/fn/enrich" -> new LoopbackReceiver.Answer(200, "{\"host\":\"web-1\",\"patched\":true}");
            case "/fn/typed-error" ->
                new LoopbackReceiver.Answer(200, "{\"errorType\":\"HostNotFound\",\"errorMessage\":\"no web-9\"}");
            case "/fn/crash" -> new LoopbackReceiver.Answer(500, "boom");
            case "/fn/unavailable" -> new LoopbackReceiver.Answer(503, "{}");
            default -> new LoopbackReceiver.Answer(404, "{}");
        });
        String connection = events.createConnection(b -> b.name("functions")
                        .authorizationType(ConnectionAuthorizationType.API_KEY)
                        .authParameters(a -> a.apiKeyAuthParameters(
                                k -> k.apiKeyName("x-fn-key").apiKeyValue("fn-secret"))))
                .connectionArn();
        for (String name : new String[] {"enrich", "typed-error", "crash", "unavailable"}) {
            events.createApiDestination(b -> b.name(name)
                    .connectionArn(connection)
                    .invocationEndpoint(receiver.url("/fn/" + name))
                    .httpMethod("POST"));
        }
    }

    @AfterAll
    static void stop() {
        receiver.close();
        events.close();
        sfn.close();
        server.close();
    }

    static DescribeExecutionResponse run(String name, String resource, String parameters, String input) {
        String machine = WorkflowCalls.machine(
                sfn,
                name,
                """
                {"StartAt": "Invoke", "States": {"Invoke": {"Type": "Task", "Resource": "%s"%s, "End": true}}}
                """
                        .formatted(resource, parameters.isEmpty() ? "" : ", \"Parameters\": " + parameters));
        String execution =
                sfn.startExecution(b -> b.stateMachineArn(machine).input(input)).executionArn();
        return WorkflowCalls.awaitEnd(sfn, execution);
    }

    @Test
    void lambdaInvokePostsThePayloadToTheDestinationOfTheFunctionsNameAndAnswersLambdasShape() throws Exception {
        DescribeExecutionResponse ended = run(
                "lambda-invoke",
                "arn:aws:states:::lambda:invoke",
                "{\"FunctionName\": \"arn:aws:lambda:us-east-1:123456789012:function:enrich:$LATEST\","
                        + " \"Payload.$\": \"$\"}",
                "{\"instance\": \"i-0abc\"}");

        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode output = WorkflowCalls.json(ended.output());
        assertThat(output.path("ExecutedVersion").asText()).isEqualTo("$LATEST");
        assertThat(output.path("Payload")).isEqualTo(WorkflowCalls.json("{\"host\":\"web-1\",\"patched\":true}"));
        assertThat(output.path("StatusCode").asInt()).isEqualTo(200);
        assertThat(output.path("SdkHttpMetadata").path("HttpStatusCode").asInt())
                .isEqualTo(200);
        assertThat(output.path("SdkResponseMetadata").path("RequestId").asText())
                .isNotEmpty();
        LoopbackReceiver.Request call = receiver.received().stream()
                .filter(r -> r.path().equals("/fn/enrich") && r.body().contains("i-0abc"))
                .findFirst()
                .orElseThrow();
        assertThat(call.method()).isEqualTo("POST");
        assertThat(WorkflowCalls.json(call.body())).isEqualTo(WorkflowCalls.json("{\"instance\": \"i-0abc\"}"));
        assertThat(call.header("x-fn-key")).isEqualTo("fn-secret");
        HistoryEvent scheduled = WorkflowCalls.events(sfn, ended.executionArn()).get(2);
        assertThat(scheduled.taskScheduledEventDetails().resourceType()).isEqualTo("lambda");
        assertThat(scheduled.taskScheduledEventDetails().resource()).isEqualTo("invoke");
    }

    @Test
    void aBareFunctionArnAnswersTheFunctionsResultAndWritesLambdaEvents() throws Exception {
        DescribeExecutionResponse ended =
                run("lambda-function-arn", "arn:aws:lambda:us-east-1:123456789012:function:enrich", "", "{\"n\": 1}");

        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(WorkflowCalls.json(ended.output()))
                .isEqualTo(WorkflowCalls.json("{\"host\":\"web-1\",\"patched\":true}"));
        assertThat(WorkflowCalls.types(sfn, ended.executionArn()))
                .containsExactly(
                        HistoryEventType.EXECUTION_STARTED,
                        HistoryEventType.TASK_STATE_ENTERED,
                        HistoryEventType.LAMBDA_FUNCTION_SCHEDULED,
                        HistoryEventType.LAMBDA_FUNCTION_STARTED,
                        HistoryEventType.LAMBDA_FUNCTION_SUCCEEDED,
                        HistoryEventType.TASK_STATE_EXITED,
                        HistoryEventType.EXECUTION_SUCCEEDED);
    }

    @Test
    void functionErrorsAreNamedByTheirErrorTypeOrAsLambdaNamesThem() {
        DescribeExecutionResponse typed = run(
                "lambda-typed-error", "arn:aws:states:::lambda:invoke", "{\"FunctionName\": \"typed-error\"}", "{}");
        assertThat(typed.error()).isEqualTo("HostNotFound");
        assertThat(typed.cause()).isEqualTo("{\"errorType\":\"HostNotFound\",\"errorMessage\":\"no web-9\"}");

        DescribeExecutionResponse crash =
                run("lambda-crash", "arn:aws:lambda:us-east-1:123456789012:function:crash", "", "{}");
        assertThat(crash.error()).isEqualTo("Lambda.Unknown");
        assertThat(crash.cause())
                .isEqualTo("The cause could not be determined because Lambda did not return an error type."
                        + " Returned payload: boom");

        DescribeExecutionResponse unavailable = run(
                "lambda-unavailable", "arn:aws:states:::lambda:invoke", "{\"FunctionName\": \"unavailable\"}", "{}");
        assertThat(unavailable.error()).isEqualTo("Lambda.ServiceException");

        DescribeExecutionResponse unknown = run(
                "lambda-unknown", "arn:aws:states:::lambda:invoke", "{\"FunctionName\": \"no-such-function\"}", "{}");
        assertThat(unknown.error()).isEqualTo("Lambda.ResourceNotFoundException");
        assertThat(unknown.cause())
                .startsWith("Function not found: arn:aws:lambda:" + TestServer.REGION + ":")
                .contains(":function:no-such-function (Service: AWSLambda; Status Code: 404;");
        assertThat(receiver.received().stream().map(LoopbackReceiver.Request::path))
                .doesNotContain("/fn/no-such-function");
    }

    @Test
    void waitForTaskTokenPostsThePayloadAndWaitsForSendTaskSuccess() throws Exception {
        String machine = WorkflowCalls.machine(
                sfn,
                "lambda-callback",
                """
                {"StartAt": "Ask", "States": {"Ask": {"Type": "Task",
                  "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                  "Parameters": {"FunctionName": "enrich", "Payload": {"token.$": "$$.Task.Token", "ask": "approve"}},
                  "End": true}}}
                """);
        String execution = sfn.startExecution(b -> b.stateMachineArn(machine)).executionArn();
        LoopbackReceiver.Request call = org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(30))
                .until(
                        () -> receiver.received().stream()
                                .filter(r -> r.body().contains("approve"))
                                .findFirst(),
                        java.util.Optional::isPresent)
                .orElseThrow();
        // The function answered, but the task waits for its token.
        assertThat(sfn.describeExecution(b -> b.executionArn(execution)).status())
                .isEqualTo(ExecutionStatus.RUNNING);
        String token = WorkflowCalls.json(call.body()).path("token").asText();
        sfn.sendTaskSuccess(b -> b.taskToken(token).output("{\"approved\": true}"));

        DescribeExecutionResponse ended = WorkflowCalls.awaitEnd(sfn, execution);
        assertThat(ended.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(WorkflowCalls.json(ended.output())).isEqualTo(WorkflowCalls.json("{\"approved\": true}"));
    }
}
