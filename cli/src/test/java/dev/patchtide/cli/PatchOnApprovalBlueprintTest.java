package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * The patch-on-approval blueprint installed by the CLI and started by the server's own compliance event for a host
 * tagged {@code patch-policy=patch-on-approval}: the owner's message reaches a loopback HTTP subscriber, its link
 * is followed, and the host's side of Run Command (spoken by the test over the agent API) runs the snapshot hook and
 * AWS-RunPatchBaseline Install.
 */
class PatchOnApprovalBlueprintTest {
    private static final String MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:patch-on-approval";

    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.ofNow();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestServer server;
    private ApiClient api;
    private TopicReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(clock);
        api = server.adminClient();
        AdminProfileFiles.write(dataDir, server);
        receiver = new TopicReceiver(api);
        String owners = receiver.topic("owners");
        String boss = receiver.topic("boss");
        String notices = receiver.topic("notices");
        InProcessCli.Run installed = InProcessCli.run(
                "blueprints",
                "install",
                "patch-on-approval",
                "--param",
                "ApprovalTopicArn=" + owners,
                "--param",
                "EscalationTopicArn=" + boss,
                "--param",
                "NoticeTopicArn=" + notices,
                "--data-dir",
                dataDir.toString());
        assertThat(installed.exit()).as(installed.err()).isZero();
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
        server.close();
    }

    @Test
    void approvedHostIsSnapshottedThenPatchedAndTheOutcomeTold() throws Exception {
        FakeAgent untagged = agent("build-1", null);
        scanMissingOpenssl(untagged);
        awaitExecutions(1, "SUCCEEDED");
        FakeAgent web = agent("web-1", "patch-on-approval");
        scanMissingOpenssl(web);

        JsonNode ask = receiver.notifications("owners", 1).getFirst();
        assertThat(ask.path("Subject").asText()).isEqualTo("Approve patching " + web.instanceId() + "?");
        assertThat(ask.path("Message").asText()).contains(web.instanceId() + " is missing patches");
        HttpResponse<String> approved = post(link(ask, "Approve"), "alice");
        assertThat(approved.statusCode()).isEqualTo(200);

        String snapshot = receiveOne(web);
        assertThat(command(snapshot).path("DocumentName").asText()).isEqualTo("AWS-RunShellScript");
        assertThat(command(snapshot).path("Parameters").path("commands").path(0).asText())
                .contains("pre-install snapshot hook");
        AgentSide.finish(web, snapshot, "Success", 0, "snapshot taken", "");

        String install = receiveOne(web);
        JsonNode installCommand = command(install);
        assertThat(installCommand.path("DocumentName").asText()).isEqualTo("AWS-RunPatchBaseline");
        assertThat(installCommand.path("Parameters").path("Operation").path(0).asText())
                .isEqualTo("Install");
        AgentSide.finish(web, install, "Success", 0, "installed openssl", "");

        JsonNode notice = receiver.notifications("notices", 1).getFirst();
        assertThat(notice.path("Subject").asText()).isEqualTo("Patched " + web.instanceId());
        assertThat(notice.path("Message").asText()).contains("(command " + install + ")");
        List<JsonNode> executions = awaitExecutions(2, "SUCCEEDED");
        assertThat(receiver.notificationsNow("owners"))
                .as("the untagged host was not asked about")
                .hasSize(1);
        assertThat(executions).hasSize(2);
    }

    @Test
    void rejectedHostIsLeftAloneAndAFailedInstallIsTold() throws Exception {
        FakeAgent db = agent("db-1", "patch-on-approval");
        scanMissingOpenssl(db);
        HttpResponse<String> rejected =
                post(link(receiver.notifications("owners", 1).getFirst(), "Reject"), "bob");
        assertThat(rejected.statusCode()).isEqualTo(200);
        JsonNode notice = receiver.notifications("notices", 1).getFirst();
        assertThat(notice.path("Subject").asText()).isEqualTo("Patching " + db.instanceId() + " rejected");
        awaitExecutions(1, "SUCCEEDED");
        assertThat(AgentSide.receive(db)).as("nothing sent to the host").isEmpty();

        FakeAgent cache = agent("cache-1", "patch-on-approval");
        scanMissingOpenssl(cache);
        post(link(receiver.notifications("owners", 2).get(1), "Approve"), "carol");
        AgentSide.finish(cache, receiveOne(cache), "Success", 0, "", "");
        AgentSide.finish(cache, receiveOne(cache), "Failed", 100, "", "E: dpkg was interrupted");
        JsonNode failed = receiver.notifications("notices", 2).get(1);
        assertThat(failed.path("Subject").asText()).isEqualTo("Patching " + cache.instanceId() + " failed");
        assertThat(failed.path("Message").asText()).contains("Ssm.CommandFailed");
        JsonNode end = awaitExecutions(2, "FAILED").stream()
                .filter(e -> e.path("status").asText().equals("FAILED"))
                .findFirst()
                .orElseThrow();
        JsonNode described = api.call(
                "AWSStepFunctions.DescribeExecution",
                Map.of("executionArn", end.path("executionArn").asText()));
        assertThat(described.path("error").asText()).isEqualTo("Ssm.CommandFailed");
    }

    @Test
    void unansweredRequestIsRemindedEscalatedThenToldAsUnanswered() throws Exception {
        FakeAgent app = agent("app-1", "patch-on-approval");
        scanMissingOpenssl(app);
        JsonNode ask = receiver.notifications("owners", 1).getFirst();

        clock.advance(Duration.ofSeconds(14_400)); // ReminderAfterSeconds' default
        server.node().workflows().approvals().wake();
        JsonNode reminder = receiver.notifications("owners", 2).get(1);
        assertThat(reminder.path("Subject").asText())
                .isEqualTo("Reminder: " + ask.path("Subject").asText());
        assertThat(receiver.notificationsNow("boss")).isEmpty();

        clock.advance(Duration.ofSeconds(86_400 - 14_400)); // DeadlineSeconds' default
        server.node().workflows().approvals().wake();
        JsonNode escalation = receiver.notifications("boss", 1).getFirst();
        assertThat(escalation.path("Subject").asText())
                .isEqualTo("Escalated: " + ask.path("Subject").asText());
        assertThat(link(escalation, "Approve")).isNotEqualTo(link(ask, "Approve"));

        clock.advance(Duration.ofSeconds(172_800 - 86_400)); // TimeoutSeconds' default
        List<JsonNode> executions = awaitExecutions(1, "FAILED");
        JsonNode described = api.call(
                "AWSStepFunctions.DescribeExecution",
                Map.of(
                        "executionArn",
                        executions.getFirst().path("executionArn").asText()));
        assertThat(described.path("error").asText()).isEqualTo("Approval.Unanswered");
        JsonNode notice = receiver.notifications("notices", 1).getFirst();
        assertThat(notice.path("Subject").asText()).isEqualTo("Patching " + app.instanceId() + " not approved in time");
        assertThat(AgentSide.receive(app)).as("nothing sent to the host").isEmpty();
    }

    private FakeAgent agent(String name, String patchPolicy) throws Exception {
        CreateActivationResponse activation =
                server.ssm().createActivation(b -> b.iamRole("fleet").defaultInstanceName(name));
        FakeAgent agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        agent.report(name + ".example.net", "10.0.0.8");
        if (patchPolicy != null) {
            server.ssm().addTagsToResource(b -> b.resourceType("ManagedInstance")
                    .resourceId(agent.instanceId())
                    .tags(Tag.builder().key("patch-policy").value(patchPolicy).build()));
        }
        return agent;
    }

    /** A scan that misses one security update: the host turns NON_COMPLIANT. */
    static void scanMissingOpenssl(FakeAgent agent, MutableClock clock) throws Exception {
        new PatchOnApprovalBlueprintTest().scan(agent, clock);
    }

    private void scanMissingOpenssl(FakeAgent agent) throws Exception {
        scan(agent, clock);
    }

    private void scan(FakeAgent agent, MutableClock clock) throws Exception {
        Map<String, Object> patch = new LinkedHashMap<>();
        patch.put("Name", "openssl");
        patch.put("Arch", "amd64");
        patch.put("InstalledVersion", "3.0.11-1~deb12u2");
        patch.put("AvailableVersion", "3.0.15-1~deb12u1");
        patch.put("Product", "Debian12");
        patch.put("Priority", "optional");
        patch.put("Section", "utils");
        patch.put("Security", true);
        patch.put("CVEIds", List.of());
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("InstanceId", agent.instanceId());
        report.put("OperatingSystem", "DEBIAN");
        report.put("OperationStartTime", clock.instant().getEpochSecond());
        report.put("OperationEndTime", clock.instant().getEpochSecond());
        report.put("InstalledCount", 700);
        report.put("RebootRequired", false);
        report.put("Patches", List.of(patch));
        agent.client().call("Patchtide.PutPatchScanReport", report);
    }

    private String receiveOne(FakeAgent agent) {
        List<String> ids = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            server.node().workflows().effects().wake();
            ids.addAll(AgentSide.receive(agent));
            return !ids.isEmpty();
        });
        assertThat(ids).hasSize(1);
        return ids.getFirst();
    }

    private JsonNode command(String commandId) throws Exception {
        return api.call("AmazonSSM.ListCommands", Map.of("CommandId", commandId))
                .path("Commands")
                .path(0);
    }

    private static String link(JsonNode notification, String label) {
        Matcher m = Pattern.compile(label + ":\\s+(\\S+)")
                .matcher(notification.path("Message").asText());
        assertThat(m.find()).as(notification.toString()).isTrue();
        return m.group(1);
    }

    private HttpResponse<String> post(String url, String by) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "by=" + URLEncoder.encode(by, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until there are {@code n} executions, none RUNNING, one of them (at least) in {@code status}. */
    private List<JsonNode> awaitExecutions(int n, String status) {
        List<JsonNode> all = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            server.node().workflows().effects().wake();
            all.clear();
            api.forEachItem(
                    "AWSStepFunctions.ListExecutions", Map.of("stateMachineArn", MACHINE), "executions", all::add);
            return all.size() == n
                    && all.stream().noneMatch(e -> e.path("status").asText().equals("RUNNING"))
                    && all.stream().anyMatch(e -> e.path("status").asText().equals(status));
        });
        return all;
    }
}
