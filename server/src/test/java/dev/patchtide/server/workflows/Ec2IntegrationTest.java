package dev.patchtide.server.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.Tag;

/** Seed 000's first steps, written for AWS, run against managed instances through aws-sdk:ec2 tasks. */
class Ec2IntegrationTest {
    static final MutableClock clock = MutableClock.ofNow();
    static TestServer server;
    static SfnClient sfn;
    static FakeAgent web;
    static FakeAgent db;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(clock);
        sfn = SfnClients.sfn(server);
        SsmClient ssm = server.ssm();
        CreateActivationResponse activation =
                ssm.createActivation(b -> b.iamRole("agents").registrationLimit(5));
        web = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        db = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        for (FakeAgent agent : List.of(web, db)) {
            String name = agent == web ? "web-1" : "db-1";
            ssm.addTagsToResource(b -> b.resourceType("ManagedInstance")
                    .resourceId(agent.instanceId())
                    .tags(Tag.builder().key("Name").value(name).build()));
        }
        clock.advance(Duration.ofMinutes(11)); // db's agent falls silent: only web stays running
        web.report("web1", "10.0.0.1");
    }

    @AfterAll
    static void stop() {
        sfn.close();
        server.close();
    }

    @Test
    void describeInstancesThenTagsOfTheRunningOnes() throws Exception {
        String arn = machine(
                "running-names",
                """
                {"StartAt": "DescribeInstances",
                 "States": {
                   "DescribeInstances": {
                     "Type": "Task",
                     "Resource": "arn:aws:states:::aws-sdk:ec2:describeInstances",
                     "Parameters": {"Filters": [{"Name": "instance-state-name", "Values": ["running"]}]},
                     "Next": "ExtractInstanceIDs"},
                   "ExtractInstanceIDs": {
                     "Type": "Pass",
                     "Parameters": {"InstanceIds.$": "$.Reservations[*].Instances[*].InstanceId"},
                     "Next": "DescribeTagsForFilteredInstances"},
                   "DescribeTagsForFilteredInstances": {
                     "Type": "Task",
                     "Resource": "arn:aws:states:::aws-sdk:ec2:describeTags",
                     "Parameters": {"Filters": [{"Name": "resource-id", "Values.$": "$.InstanceIds"},
                                                {"Name": "key", "Values": ["Name"]}]},
                     "ResultSelector": {"Names.$": "$.Tags[*].Value"},
                     "End": true}}}
                """);
        String execution = sfn.startExecution(b -> b.stateMachineArn(arn)).executionArn();
        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).as(done.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode output = ApiJson.documents().readTree(done.output());
        assertThat(strings(output.path("Names"))).containsExactly("web-1");
    }

    @Test
    void anEc2ErrorIsCaughtByItsName() throws Exception {
        String arn = machine(
                "unknown-instance",
                """
                {"StartAt": "Describe",
                 "States": {
                   "Describe": {
                     "Type": "Task",
                     "Resource": "arn:aws:states:::aws-sdk:ec2:describeInstances",
                     "Parameters": {"InstanceIds": ["mi-0123456789abcdef0"]},
                     "Catch": [{"ErrorEquals": ["Ec2.Ec2Exception"], "Next": "Missing"}],
                     "End": true},
                   "Missing": {"Type": "Pass", "End": true}}}
                """);
        String execution = sfn.startExecution(b -> b.stateMachineArn(arn)).executionArn();
        DescribeExecutionResponse done = awaitEnd(execution);
        assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
        JsonNode output = ApiJson.documents().readTree(done.output());
        assertThat(output.path("Error").asText()).isEqualTo("Ec2.Ec2Exception");
        assertThat(output.path("Cause").asText())
                .startsWith("The instance ID 'mi-0123456789abcdef0' does not exist (Service: Ec2, Status Code: 400");
    }

    private static String machine(String name, String definition) {
        return sfn.createStateMachine(
                        b -> b.name(name).definition(definition).roleArn("arn:aws:iam::123456789012:role/workflows"))
                .stateMachineArn();
    }

    private static DescribeExecutionResponse awaitEnd(String executionArn) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            server.node().workflows().effects().wake();
            return sfn.describeExecution(b -> b.executionArn(executionArn)).status() != ExecutionStatus.RUNNING;
        });
        return sfn.describeExecution(b -> b.executionArn(executionArn));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
