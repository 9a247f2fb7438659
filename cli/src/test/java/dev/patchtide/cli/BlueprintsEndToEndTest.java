package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/**
 * Blueprints installed with {@code patchtide blueprints install} on a real server, started by the events the server
 * itself emits for an agent's scans and heartbeats, telling a real HTTP subscriber on loopback.
 */
class BlueprintsEndToEndTest {
    @TempDir
    Path dataDir;

    private final MutableClock clock = MutableClock.ofNow();
    private TestServer server;
    private ApiClient api;
    private TopicReceiver receiver;

    /** A server whose agents go ConnectionLost after two missed heartbeats of a second when {@code fastPing}. */
    private void start(boolean fastPing) throws Exception {
        server = fastPing
                ? TestServer.start(clock, config -> config.withPingPolicy(TestServer.fastHeartbeats()))
                : TestServer.start(clock);
        api = server.adminClient();
        AdminProfileFiles.write(dataDir, server);
        receiver = new TopicReceiver(api);
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void rebootPendingIsToldOncePerHostUntilItRebootsAndThenAgain() throws Exception {
        start(false);
        String topic = receiver.topic("reboots");
        install("reboot-pending-notify", "TopicArn=" + topic);
        FakeAgent web = agent("web-3");
        FakeAgent db = agent("db-3");

        scan(web, true);
        awaitSucceeded("reboot-pending-notify", 1);
        List<JsonNode> told = receiver.notifications("reboots", 1);
        assertThat(told.getFirst().path("Subject").asText()).isEqualTo("Reboot pending on " + web.instanceId());
        assertThat(told.getFirst().path("Message").asText())
                .contains(web.instanceId() + " waits for a reboot")
                .contains("linux-image-amd64");
        assertThat(tag(web, "patchtide-reboot-notice")).isEqualTo("reboot-pending");

        // The next scans that find the same pending reboot start the workflow, which says nothing.
        scan(web, true);
        awaitSucceeded("reboot-pending-notify", 2);
        scan(web, true);
        awaitSucceeded("reboot-pending-notify", 3);
        scan(db, true);
        awaitSucceeded("reboot-pending-notify", 4);
        List<JsonNode> second = receiver.notifications("reboots", 2);
        assertThat(second.get(1).path("Subject").asText()).isEqualTo("Reboot pending on " + db.instanceId());
        server.awaitCaughtUp();
        assertThat(receiver.notificationsNow("reboots")).hasSize(2);

        // Rebooted: nothing to tell, but the next pending reboot is news again.
        scan(web, false);
        awaitSucceeded("reboot-pending-notify", 5);
        assertThat(tag(web, "patchtide-reboot-notice")).isEqualTo("rebooted");
        scan(web, true);
        awaitSucceeded("reboot-pending-notify", 6);
        List<JsonNode> again = receiver.notifications("reboots", 3);
        assertThat(again.get(2).path("Subject").asText()).isEqualTo("Reboot pending on " + web.instanceId());
        server.awaitCaughtUp();
        assertThat(receiver.notificationsNow("reboots")).hasSize(3);
    }

    @Test
    void connectionLostRunsTheRunbookAndTellsTheOperators() throws Exception {
        start(true);
        String topic = receiver.topic("operators");
        install("agent-unreachable-runbook", "TopicArn=" + topic);
        FakeAgent edge = agent("edge-5");

        clock.advance(Duration.ofSeconds(3)); // two missed 1 s heartbeats: ConnectionLost
        JsonNode told = receiver.notifications("operators", 1).getFirst();
        assertThat(told.path("Subject").asText()).isEqualTo("Agent unreachable on " + edge.instanceId());
        assertThat(told.path("Message").asText())
                .startsWith("The agent on " + edge.instanceId() + " (edge-5.example.net, 10.0.0.5) stopped reporting")
                .contains("no remediation configured yet");

        JsonNode execution = awaitSucceeded("agent-unreachable-runbook", 1).getFirst();
        JsonNode history = api.call(
                "AWSStepFunctions.GetExecutionHistory",
                Map.of("executionArn", execution.path("executionArn").asText()));
        List<String> states = new ArrayList<>();
        history.path("events").forEach(e -> {
            if (e.path("type").asText().endsWith("StateEntered")) {
                states.add(e.path("stateEnteredEventDetails").path("name").asText());
            }
        });
        assertThat(states)
                .containsExactly(
                        "GatherFacts", "StillUnreachable", "RemediationSteps", "RecordWhatWasFound", "NotifyOperators");

        // Back online is another ping status change, which the rule does not match.
        edge.report("edge-5.example.net", "10.0.0.5");
        server.awaitCaughtUp();
        assertThat(executions("agent-unreachable-runbook")).hasSize(1);
    }

    @Test
    void noncompliantDigestSendsTheTeamsCardThroughTheConnection() throws Exception {
        start(false);
        List<JsonNode> cards = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> keys = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer teams =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        teams.createContext("/hook", exchange -> {
            cards.add(api.json().readTree(exchange.getRequestBody().readAllBytes()));
            keys.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Teams-Key")));
            byte[] answer = "1".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        teams.start();
        try {
            String connection = api.call(
                            "AWSEvents.CreateConnection",
                            Map.of(
                                    "Name",
                                    "teams",
                                    "AuthorizationType",
                                    "API_KEY",
                                    "AuthParameters",
                                    Map.of(
                                            "ApiKeyAuthParameters",
                                            Map.of("ApiKeyName", "X-Teams-Key", "ApiKeyValue", "teams-secret"))))
                    .path("ConnectionArn")
                    .asText();
            install(
                    "noncompliant-digest",
                    "ConnectionArn=" + connection,
                    "TeamsWebhookUrl=http://127.0.0.1:" + teams.getAddress().getPort() + "/hook");
            JsonNode emptyEnd = awaitEnd(startDigest());
            assertThat(emptyEnd.path("status").asText())
                    .as("no host running: nothing to report (%s)", emptyEnd)
                    .isEqualTo("SUCCEEDED");
            assertThat(cards).isEmpty();

            FakeAgent web = agent("web-9");
            FakeAgent db = agent("db-9");
            for (FakeAgent a : List.of(web, db)) {
                server.ssm().addTagsToResource(b -> b.resourceType("ManagedInstance")
                        .resourceId(a.instanceId())
                        .tags(software.amazon.awssdk.services.ssm.model.Tag.builder()
                                .key("Name")
                                .value(a == web ? "web-9" : "db-9")
                                .build()));
            }
            PatchOnApprovalBlueprintTest.scanMissingOpenssl(web, clock);
            // db sends no scan: nothing missing is known of it.
            String execution = startDigest();
            JsonNode end = awaitEnd(execution);
            assertThat(end.path("status").asText())
                    .as("the digest reached Teams (%s)", end)
                    .isEqualTo("SUCCEEDED");
            assertThat(cards).hasSize(1);
            assertThat(keys).containsExactly("teams-secret");
            JsonNode card = cards.getFirst();
            assertThat(card.path("title").asText()).isEqualTo("1 hosts are not patch compliant");
            assertThat(card.at("/sections/0/facts"))
                    .isEqualTo(api.json().readTree("[{\"name\": \"web-9\", \"value\": \"" + web.instanceId() + "\"}]"));
        } finally {
            teams.stop(0);
        }
    }

    /** The schedule rule would start it; started here so the test need not wait for the schedule. */
    private String startDigest() throws Exception {
        return api.call(
                        "AWSStepFunctions.StartExecution",
                        Map.of(
                                "stateMachineArn",
                                "arn:aws:states:us-east-1:123456789012:stateMachine:noncompliant-digest"))
                .path("executionArn")
                .asText();
    }

    private JsonNode awaitEnd(String execution) throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            server.node().workflows().effects().wake();
            return !api.call("AWSStepFunctions.DescribeExecution", Map.of("executionArn", execution))
                    .path("status")
                    .asText()
                    .equals("RUNNING");
        });
        return api.call("AWSStepFunctions.DescribeExecution", Map.of("executionArn", execution));
    }

    private void install(String blueprint, String... params) {
        List<String> args = new ArrayList<>(List.of("blueprints", "install", blueprint));
        for (String p : params) {
            args.add("--param");
            args.add(p);
        }
        args.add("--data-dir");
        args.add(dataDir.toString());
        InProcessCli.Run run = InProcessCli.run(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
    }

    private FakeAgent agent(String name) throws Exception {
        CreateActivationResponse activation =
                server.ssm().createActivation(b -> b.iamRole("fleet").defaultInstanceName(name));
        FakeAgent agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        agent.report(name + ".example.net", name.startsWith("edge") ? "10.0.0.5" : "10.0.0.3");
        return agent;
    }

    /** The next day's scan as the agent sends it: nothing missing, one kernel waiting for a reboot when {@code pending}. */
    private void scan(FakeAgent agent, boolean pending) throws Exception {
        // A day later, as daily scans come: an unchanged scan the same day is not judged again (no event).
        clock.advance(Duration.ofDays(1));
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

    private String tag(FakeAgent agent, String key) throws Exception {
        JsonNode tags = api.call(
                "AmazonSSM.ListTagsForResource",
                Map.of("ResourceType", "ManagedInstance", "ResourceId", agent.instanceId()));
        for (JsonNode t : tags.path("TagList")) {
            if (t.path("Key").asText().equals(key)) {
                return t.path("Value").asText();
            }
        }
        return null;
    }

    private List<JsonNode> executions(String machine) throws Exception {
        String arn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + machine;
        List<JsonNode> all = new ArrayList<>();
        api.forEachItem("AWSStepFunctions.ListExecutions", Map.of("stateMachineArn", arn), "executions", all::add);
        return all;
    }

    /** Waits until {@code machine} has {@code n} executions, all SUCCEEDED (none failed on the way). */
    private List<JsonNode> awaitSucceeded(String machine, int n) {
        await().atMost(Duration.ofSeconds(30))
                .alias(machine + " has " + n + " SUCCEEDED executions")
                .until(() -> {
                    server.node().workflows().effects().wake();
                    List<JsonNode> all = executions(machine);
                    assertThat(all).as("executions of " + machine).noneMatch(e -> List.of(
                                    "FAILED", "TIMED_OUT", "ABORTED")
                            .contains(e.path("status").asText()));
                    return all.size() == n
                            && all.stream()
                                    .allMatch(e -> e.path("status").asText().equals("SUCCEEDED"));
                });
        try {
            return executions(machine);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
