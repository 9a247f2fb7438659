package dev.patchtide.server.workflows;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/** What the tests of outward calls and nested executions share: SDK clients and short-hands. */
final class WorkflowCalls {
    private WorkflowCalls() {}

    static final String ROLE = "arn:aws:iam::123456789012:role/workflows";

    static EventBridgeClient events(TestServer server) {
        return EventBridgeClient.builder()
                .endpointOverride(server.endpoint())
                .region(Region.of(TestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        server.adminKey().accessKeyId(), server.adminKey().secretAccessKey())))
                .build();
    }

    static String machine(SfnClient sfn, String name, String definition) {
        return sfn.createStateMachine(b -> b.name(name).definition(definition).roleArn(ROLE))
                .stateMachineArn();
    }

    static List<HistoryEventType> types(SfnClient sfn, String executionArn) {
        return events(sfn, executionArn).stream().map(HistoryEvent::type).toList();
    }

    static List<HistoryEvent> events(SfnClient sfn, String executionArn) {
        return sfn.getExecutionHistory(b -> b.executionArn(executionArn).maxResults(1000))
                .events();
    }

    static DescribeExecutionResponse awaitEnd(SfnClient sfn, String execution) {
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        sfn.describeExecution(b -> b.executionArn(execution)).status() != ExecutionStatus.RUNNING);
        return sfn.describeExecution(b -> b.executionArn(execution));
    }

    static JsonNode json(String text) throws Exception {
        return ApiJson.documents().readTree(text);
    }
}
