package dev.patchtide.server.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;
import software.amazon.awssdk.services.ssm.model.CommandInvocation;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.NotificationEvent;
import software.amazon.awssdk.services.ssm.model.NotificationType;
import software.amazon.awssdk.services.ssm.model.SsmException;

/** SendCommand, its listings, GetCommandInvocation and CancelCommand through the AWS SDK, agents over the wire. */
class SendCommandTest {
    private final CommandNodes nodes = new CommandNodes();
    private final CommandNodes.Node node = nodes.start();
    private final SsmClient ssm = node.ssm();

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void commandRunsOnTwoInstancesAndIsListedAsAwsShowsIt() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 2);
        String first = agents.get(0).instanceId();
        String second = agents.get(1).instanceId();

        Command sent = ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(first, second)
                        .parameters(Map.of("commands", List.of("echo hi")))
                        .comment("say hi"))
                .command();
        assertThat(sent.statusAsString()).isEqualTo("Pending");
        assertThat(sent.targetCount()).isEqualTo(2);
        assertThat(sent.maxConcurrency()).isEqualTo("50");
        assertThat(sent.maxErrors()).isEqualTo("0");
        assertThat(sent.timeoutSeconds()).isEqualTo(3600);
        assertThat(sent.parameters()).containsEntry("executionTimeout", List.of("3600"));
        assertThat(sent.expiresAfter()).isEqualTo(sent.requestedDateTime().plusSeconds(7200));

        JsonNode received = CommandNodes.receive(agents.get(0), 0);
        assertThat(received.path("Invocations")).hasSize(1);
        JsonNode invocation = received.path("Invocations").get(0);
        assertThat(invocation.path("CommandId").asText()).isEqualTo(sent.commandId());
        assertThat(invocation
                        .path("Plan")
                        .path("Steps")
                        .get(0)
                        .path("Inputs")
                        .path("RunCommand")
                        .get(0)
                        .asText())
                .isEqualTo("echo hi");
        assertThat(invocation.path("ExecutionTimeoutSeconds").asInt()).isEqualTo(3600);
        // At most once: the same invocation is never handed out again.
        assertThat(CommandNodes.receive(agents.get(0), 0).path("Invocations")).isEmpty();

        // The hand-out's settle, which starts the command, runs after the poll is answered.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> command(sent.commandId()).statusAsString().equals("InProgress"));
        CommandNodes.report(agents.get(0), sent.commandId(), "Success", 0, "hi\n", "");
        JsonNode other = CommandNodes.receive(agents.get(1), 0);
        CommandNodes.report(agents.get(1), sent.commandId(), "Failed", 2, "", "boom\n");

        Command done = command(sent.commandId());
        assertThat(done.statusAsString()).isEqualTo("Failed");
        assertThat(done.statusDetails()).isEqualTo("Failed");
        assertThat(done.completedCount()).isEqualTo(2);
        assertThat(done.errorCount()).isEqualTo(1);
        assertThat(other.path("Invocations")).hasSize(1);

        List<CommandInvocation> invocations = ssm.listCommandInvocations(
                        b -> b.commandId(sent.commandId()).details(true))
                .commandInvocations();
        assertThat(invocations)
                .extracting(CommandInvocation::instanceId, CommandInvocation::statusAsString)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(first, "Success"),
                        org.assertj.core.groups.Tuple.tuple(second, "Failed"));
        CommandInvocation failed = invocations.stream()
                .filter(i -> i.instanceId().equals(second))
                .findFirst()
                .orElseThrow();
        assertThat(failed.commandPlugins()).hasSize(1);
        assertThat(failed.commandPlugins().getFirst().name()).isEqualTo("runShellScript");

        GetCommandInvocationResponse got =
                ssm.getCommandInvocation(b -> b.commandId(sent.commandId()).instanceId(first));
        assertThat(got.statusAsString()).isEqualTo("Success");
        assertThat(got.responseCode()).isZero();
        assertThat(got.standardOutputContent()).isEqualTo("hi\n");
        assertThat(got.pluginName()).isEqualTo("runShellScript");
        assertThat(got.executionStartDateTime()).isNotEmpty();
        assertThat(got.executionElapsedTime()).isEqualTo("PT1.5S");
        assertThat(failed.commandPlugins().getFirst().output()).contains("----------ERROR-------\nboom");
        assertThat(failed.commandPlugins().getFirst().responseCode()).isEqualTo(2);

        assertThat(ssm.listCommands(b -> b.instanceId(first)).commands())
                .extracting(Command::commandId)
                .containsExactly(sent.commandId());
        assertThat(ssm.listCommands(b -> b.filters(filter("Status", "Success"))).commands())
                .isEmpty();
        assertThat(ssm.listCommands(b -> b.filters(filter("ExecutionStage", "Complete")))
                        .commands())
                .hasSize(1);
    }

    @Test
    void outputIsCutAsAwsCutsItAndServedInFullByItsUrl() throws Exception {
        FakeAgent agent = nodes.agents(node, 1).getFirst();
        String commandId = send(agent.instanceId());
        CommandNodes.receive(agent, 0);
        String stdout = "o".repeat(30_000) + "END";
        String stderr = "e".repeat(9_000);
        CommandNodes.report(agent, commandId, "Success", 0, stdout, stderr);

        GetCommandInvocationResponse got =
                ssm.getCommandInvocation(b -> b.commandId(commandId).instanceId(agent.instanceId()));
        assertThat(got.standardOutputContent()).hasSize(24_000);
        assertThat(got.standardErrorContent()).hasSize(8_000);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> full = http.send(
                HttpRequest.newBuilder(URI.create(got.standardOutputUrl())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.body()).isEqualTo(stdout);
        HttpResponse<String> errors = http.send(
                HttpRequest.newBuilder(URI.create(got.standardErrorUrl())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(errors.body()).isEqualTo(stderr);

        HttpResponse<String> forged = http.send(
                HttpRequest.newBuilder(URI.create(got.standardOutputUrl().replace("stream=stdout", "stream=stderr")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);

        nodes.clock.advance(OutputLinks.LIFETIME.plusSeconds(1));
        HttpResponse<String> expired = http.send(
                HttpRequest.newBuilder(URI.create(got.standardOutputUrl())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(expired.statusCode()).isEqualTo(403);
    }

    @Test
    void finalResultIsIdempotentAndCannotChange() throws Exception {
        FakeAgent agent = nodes.agents(node, 1).getFirst();
        String commandId = send(agent.instanceId());
        CommandNodes.receive(agent, 0);
        CommandNodes.report(agent, commandId, "Success", 0, "ok", "");
        CommandNodes.report(agent, commandId, "Success", 0, "ok", "");
        assertThatThrownBy(() -> CommandNodes.report(agent, commandId, "Failed", 1, "ok", ""))
                .hasMessageContaining("InvalidCommandInvocationStatus")
                .hasMessageContaining("Success");
    }

    @Test
    void refusesWhatAwsRefuses() throws Exception {
        FakeAgent agent = nodes.agents(node, 1).getFirst();
        assertThat(code(() -> ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds("mi-0123456789abcdef0")
                        .parameters(Map.of("commands", List.of("true"))))))
                .isEqualTo("InvalidInstanceId");
        assertThat(code(() -> ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(agent.instanceId(), agent.instanceId())
                        .parameters(Map.of("commands", List.of("true"))))))
                .isEqualTo("DuplicateInstanceId");
        assertThat(code(() ->
                        ssm.sendCommand(b -> b.documentName("No-Such-Document").instanceIds(agent.instanceId()))))
                .isEqualTo("InvalidDocument");
        assertThat(code(() -> ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(agent.instanceId())
                        .parameters(Map.of("nope", List.of("x"))))))
                .isEqualTo("InvalidParameters");
        assertThat(code(() -> ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(agent.instanceId())
                        .maxConcurrency("0")
                        .parameters(Map.of("commands", List.of("true"))))))
                .isEqualTo("ValidationException");
        assertThat(code(() -> ssm.sendCommand(
                        b -> b.documentName("AWS-RunShellScript").parameters(Map.of("commands", List.of("true"))))))
                .isEqualTo("ValidationException");
        assertThat(code(() -> ssm.getCommandInvocation(
                        b -> b.commandId("00000000-0000-0000-0000-000000000000").instanceId(agent.instanceId()))))
                .isEqualTo("InvalidCommandId");
        String commandId = send(agent.instanceId());
        assertThat(code(() ->
                        ssm.getCommandInvocation(b -> b.commandId(commandId).instanceId("mi-0123456789abcdef0"))))
                .isEqualTo("InvocationDoesNotExist");
        assertThat(code(() -> ssm.getCommandInvocation(b ->
                        b.commandId(commandId).instanceId(agent.instanceId()).pluginName("nope"))))
                .isEqualTo("InvalidPluginName");
        assertThat(code(() -> ssm.cancelCommand(b -> b.commandId(commandId).instanceIds("mi-0123456789abcdef0"))))
                .isEqualTo("InvalidInstanceId");
    }

    @Test
    void instanceKeyMaySendOnlyToItsOwnInstance() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 2);
        FakeAgent self = agents.get(0);
        FakeAgent other = agents.get(1);
        try (SsmClient own = CommandNodes.ssm(node.server().port(), self.accessKeyId(), self.secretAccessKey())) {
            assertThat(code(() -> own.sendCommand(b -> b.documentName("AWS-RunShellScript")
                            .instanceIds(other.instanceId())
                            .parameters(Map.of("commands", List.of("true"))))))
                    .isEqualTo("AccessDeniedException");
            assertThat(code(() -> own.sendCommand(b -> b.documentName("AWS-RunShellScript")
                            .instanceIds(self.instanceId(), other.instanceId())
                            .parameters(Map.of("commands", List.of("true"))))))
                    .isEqualTo("AccessDeniedException");
            assertThat(code(() -> own.sendCommand(b -> b.documentName("AWS-RunShellScript")
                            .targets(target("InstanceIds", self.instanceId()))
                            .parameters(Map.of("commands", List.of("true"))))))
                    .isEqualTo("AccessDeniedException");
            assertThat(ssm.listCommands(b -> b.maxResults(50)).commands())
                    .as("nothing was sent")
                    .isEmpty();

            Command mine = own.sendCommand(b -> b.documentName("AWS-RunShellScript")
                            .instanceIds(self.instanceId())
                            .parameters(Map.of("commands", List.of("true"))))
                    .command();
            assertThat(own.getCommandInvocation(
                                    b -> b.commandId(mine.commandId()).instanceId(self.instanceId()))
                            .statusAsString())
                    .isEqualTo("Pending");
            assertThat(code(() -> own.getCommandInvocation(
                            b -> b.commandId(mine.commandId()).instanceId(other.instanceId()))))
                    .isEqualTo("AccessDeniedException");
            assertThat(code(() -> own.listCommands(b -> b.maxResults(5)))).isEqualTo("AccessDeniedException");
            own.cancelCommand(b -> b.commandId(mine.commandId()).instanceIds(self.instanceId()));
            assertThat(command(mine.commandId()).statusAsString()).isEqualTo("Failed");
            assertThat(command(mine.commandId()).statusDetails()).isEqualTo("Incomplete");
        }
    }

    @Test
    void targetsByTagAndTagKey() throws Exception {
        List<FakeAgent> agents = nodes.agents(node, 3);
        ssm.addTagsToResource(b -> b.resourceType("ManagedInstance")
                .resourceId(agents.get(0).instanceId())
                .tags(software.amazon.awssdk.services.ssm.model.Tag.builder()
                        .key("patch-policy")
                        .value("patch-on-schedule")
                        .build()));
        ssm.addTagsToResource(b -> b.resourceType("ManagedInstance")
                .resourceId(agents.get(1).instanceId())
                .tags(software.amazon.awssdk.services.ssm.model.Tag.builder()
                        .key("patch-policy")
                        .value("patch-on-approval")
                        .build()));
        Command byTag = ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .targets(target("tag:patch-policy", "patch-on-schedule"))
                        .parameters(Map.of("commands", List.of("true"))))
                .command();
        assertThat(byTag.targetCount()).isEqualTo(1);
        assertThat(byTag.targets().getFirst().key()).isEqualTo("tag:patch-policy");
        assertThat(nodes.states(byTag.commandId()))
                .containsOnlyKeys(agents.get(0).instanceId());
        Command byKey = ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .targets(target("tag-key", "patch-policy"))
                        .parameters(Map.of("commands", List.of("true"))))
                .command();
        assertThat(nodes.states(byKey.commandId()))
                .containsOnlyKeys(agents.get(0).instanceId(), agents.get(1).instanceId());
    }

    @Test
    void echoesWhatItIsGivenAndPagesWithNextToken() throws Exception {
        FakeAgent agent = nodes.agents(node, 1).getFirst();
        String topic = nodes.createTopic(node, "ops");
        Command echoed = ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(agent.instanceId())
                        .parameters(Map.of("commands", List.of("true")))
                        .outputS3Region("us-east-1")
                        .outputS3BucketName("patch-logs")
                        .outputS3KeyPrefix("runs/")
                        .serviceRoleArn("arn:aws:iam::123456789012:role/notify")
                        .notificationConfig(n -> n.notificationArn(topic)
                                .notificationEvents(NotificationEvent.SUCCESS, NotificationEvent.FAILED)
                                .notificationType(NotificationType.INVOCATION))
                        .timeoutSeconds(600)
                        .maxConcurrency("10%")
                        .maxErrors("1"))
                .command();
        assertThat(echoed.outputS3BucketName()).isEqualTo("patch-logs");
        assertThat(echoed.outputS3KeyPrefix()).isEqualTo("runs/");
        assertThat(echoed.serviceRole()).isEqualTo("arn:aws:iam::123456789012:role/notify");
        assertThat(echoed.notificationConfig().notificationArn()).isEqualTo(topic);
        assertThat(echoed.notificationConfig().notificationEventsAsStrings()).containsExactly("Success", "Failed");
        assertThat(echoed.notificationConfig().notificationTypeAsString()).isEqualTo("Invocation");
        assertThat(echoed.timeoutSeconds()).isEqualTo(600);
        assertThat(echoed.maxConcurrency()).isEqualTo("10%");
        assertThat(code(() -> ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(agent.instanceId())
                        .parameters(Map.of("commands", List.of("true")))
                        .notificationConfig(n -> n.notificationArn("not-an-arn")))))
                .isEqualTo("InvalidNotificationConfig");

        send(agent.instanceId());
        send(agent.instanceId());
        var first = ssm.listCommands(b -> b.maxResults(2));
        assertThat(first.commands()).hasSize(2);
        assertThat(first.nextToken()).isNotNull();
        var second = ssm.listCommands(b -> b.maxResults(2).nextToken(first.nextToken()));
        assertThat(second.commands()).hasSize(1);
        assertThat(second.nextToken()).isNull();
        assertThat(java.util.stream.Stream.concat(first.commands().stream(), second.commands().stream())
                        .map(Command::commandId)
                        .distinct())
                .hasSize(3);
        var invocations =
                ssm.listCommandInvocations(b -> b.instanceId(agent.instanceId()).maxResults(2));
        assertThat(invocations.commandInvocations()).hasSize(2);
        assertThat(ssm.listCommandInvocations(b ->
                                b.instanceId(agent.instanceId()).maxResults(2).nextToken(invocations.nextToken()))
                        .commandInvocations())
                .hasSize(1);
        assertThat(code(() -> ssm.listCommands(b -> b.nextToken(invocations.nextToken()))))
                .isEqualTo("InvalidNextToken");
    }

    private String send(String instanceId) {
        return ssm.sendCommand(b -> b.documentName("AWS-RunShellScript")
                        .instanceIds(instanceId)
                        .parameters(Map.of("commands", List.of("true"))))
                .command()
                .commandId();
    }

    private Command command(String commandId) {
        return ssm.listCommands(b -> b.commandId(commandId)).commands().getFirst();
    }

    static software.amazon.awssdk.services.ssm.model.CommandFilter filter(String key, String value) {
        return software.amazon.awssdk.services.ssm.model.CommandFilter.builder()
                .key(key)
                .value(value)
                .build();
    }

    static software.amazon.awssdk.services.ssm.model.Target target(String key, String... values) {
        return software.amazon.awssdk.services.ssm.model.Target.builder()
                .key(key)
                .values(values)
                .build();
    }

    static String code(Runnable call) {
        try {
            call.run();
        } catch (SsmException e) {
            return e.awsErrorDetails().errorCode();
        }
        throw new AssertionError("the call succeeded");
    }
}
