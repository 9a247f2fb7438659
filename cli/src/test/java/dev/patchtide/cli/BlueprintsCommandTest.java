package dev.patchtide.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code patchtide blueprints ...}: listed and shown from the jar, installed on a real server. */
class BlueprintsCommandTest {
    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:ops";

    @TempDir
    Path dataDir;

    private TestServer server;
    private ApiClient api;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(MutableClock.ofNow());
        api = server.adminClient();
        AdminProfileFiles.write(dataDir, server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void listsEveryBlueprintWithItsSummary() {
        InProcessCli.Run listed = InProcessCli.run("blueprints");
        assertThat(listed.exit()).as(listed.err()).isZero();
        assertThat(listed.out())
                .containsPattern("noncompliant-digest\\s+On a schedule, post")
                .containsPattern("patch-on-approval\\s+A host tagged patch-policy=patch-on-approval")
                .containsPattern("reboot-pending-notify\\s+Tell a topic once per host")
                .containsPattern("agent-unreachable-runbook\\s+When an agent's ping status turns ConnectionLost");
    }

    @Test
    void showPrintsParametersTriggerAndTheDefinitionAsShipped() throws Exception {
        InProcessCli.Run shown = InProcessCli.run("blueprints", "show", "noncompliant-digest");
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out())
                .contains("#   ConnectionArn (required)")
                .contains("#   Schedule (default: cron(0 8 ? * MON-FRI *))")
                .contains("\"ScheduleExpression\":\"${Schedule}\"");

        InProcessCli.Run definition =
                InProcessCli.run("blueprints", "show", "noncompliant-digest", "--definition-only");
        JsonNode asl = api.json().readTree(definition.out());
        assertThat(asl.path("StartAt").asText()).isEqualTo("DescribeInstances");
        assertThat(asl.path("States").propertyStream().map(Map.Entry::getKey))
                .contains(
                        "DescribeInstances",
                        "ExtractInstanceIDs",
                        "FetchInstanceComplianceData",
                        "CalculateArrayLength",
                        "CheckIfInstancesFound",
                        "DescribeTagsForFilteredInstances",
                        "PrepareNonCompliantInstanceList",
                        "CallThirdPartyAPI");

        InProcessCli.Run unknown = InProcessCli.run("blueprints", "show", "nothing");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("No blueprint is named 'nothing'; there are: noncompliant-digest,");
    }

    @Test
    void installCreatesTheMachineAndItsRuleAndAgainChangesNothing() throws Exception {
        InProcessCli.Run installed =
                cli("blueprints", "install", "reboot-pending-notify", "--param", "TopicArn=" + TOPIC);
        assertThat(installed.exit()).as(installed.err()).isZero();
        String machine = api.call("AWSStepFunctions.ListStateMachines", Map.of())
                .path("stateMachines")
                .path(0)
                .path("stateMachineArn")
                .asText();
        assertThat(machine).endsWith(":stateMachine:reboot-pending-notify");
        assertThat(installed.out()).contains("State machine  " + machine).contains("Rule           arn:aws:events:");

        JsonNode described = api.call("AWSStepFunctions.DescribeStateMachine", Map.of("stateMachineArn", machine));
        JsonNode asl = api.json().readTree(described.path("definition").asText());
        assertThat(asl.at("/States/NotifyRebootPending/Parameters/TopicArn").asText())
                .isEqualTo(TOPIC);
        assertThat(asl.at("/States/MarkTold/Parameters/Tags/0/Key").asText()).isEqualTo("patchtide-reboot-notice");

        JsonNode rule = api.call("AWSEvents.DescribeRule", Map.of("Name", "blueprint-reboot-pending-notify"));
        assertThat(api.json()
                        .readTree(rule.path("EventPattern").asText())
                        .path("source")
                        .path(0)
                        .asText())
                .isEqualTo("patchtide.patching");
        JsonNode targets = api.call("AWSEvents.ListTargetsByRule", Map.of("Rule", "blueprint-reboot-pending-notify"));
        assertThat(targets.path("Targets")).hasSize(1);
        assertThat(targets.path("Targets").path(0).path("Arn").asText()).isEqualTo(machine);

        InProcessCli.Run again = cli("blueprints", "install", "reboot-pending-notify", "--param", "TopicArn=" + TOPIC);
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("State machine  " + machine);
        assertThat(api.call("AWSStepFunctions.ListStateMachines", Map.of()).path("stateMachines"))
                .hasSize(1);

        InProcessCli.Run other =
                cli("blueprints", "install", "reboot-pending-notify", "--param", "TopicArn=" + TOPIC + "-other");
        assertThat(other.exit()).isEqualTo(1);
        assertThat(other.err())
                .startsWith("error: StateMachineAlreadyExists: A state machine named reboot-pending-notify exists");
    }

    @Test
    void scheduledBlueprintGetsAScheduleRuleAndNumbersStayNumbers() throws Exception {
        InProcessCli.Run installed = cli(
                "blueprints",
                "install",
                "patch-on-approval",
                "--param",
                "ApprovalTopicArn=" + TOPIC,
                "--param",
                "EscalationTopicArn=" + TOPIC,
                "--param",
                "NoticeTopicArn=" + TOPIC,
                "--param",
                "TimeoutSeconds=600");
        assertThat(installed.exit()).as(installed.err()).isZero();
        JsonNode machine = api.call(
                "AWSStepFunctions.DescribeStateMachine",
                Map.of(
                        "stateMachineArn",
                        installed.out().lines().findFirst().orElseThrow().replace("State machine  ", "")));
        JsonNode ask = api.json().readTree(machine.path("definition").asText()).at("/States/AskOwner");
        assertThat(ask.path("TimeoutSeconds").isInt()).isTrue();
        assertThat(ask.path("TimeoutSeconds").asInt()).isEqualTo(600);
        assertThat(ask.at("/Parameters/ReminderAfterSeconds").asInt()).isEqualTo(14400);

        InProcessCli.Run digest = cli(
                "blueprints",
                "install",
                "noncompliant-digest",
                "--param",
                "ConnectionArn=arn:aws:events:us-east-1:123456789012:connection/teams/x",
                "--param",
                "TeamsWebhookUrl=https://example.com/hook",
                "--param",
                "Schedule=rate(1 day)");
        assertThat(digest.exit()).as(digest.err()).isZero();
        JsonNode rule = api.call("AWSEvents.DescribeRule", Map.of("Name", "blueprint-noncompliant-digest"));
        assertThat(rule.path("ScheduleExpression").asText()).isEqualTo("rate(1 day)");
    }

    @Test
    void missingOrUnknownParametersAreNamed() {
        InProcessCli.Run missing = cli("blueprints", "install", "agent-unreachable-runbook");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("Blueprint agent-unreachable-runbook needs --param for TopicArn.");
        InProcessCli.Run unknown = cli(
                "blueprints", "install", "agent-unreachable-runbook", "--param", "Topic=x", "--param", "TopicArn=y");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("has no parameter Topic; its parameters: TopicArn");
        InProcessCli.Run notANumber = cli(
                "blueprints",
                "install",
                "patch-on-approval",
                "--param",
                "ApprovalTopicArn=" + TOPIC,
                "--param",
                "EscalationTopicArn=" + TOPIC,
                "--param",
                "NoticeTopicArn=" + TOPIC,
                "--param",
                "DeadlineSeconds=soon");
        assertThat(notANumber.err()).contains("Parameter DeadlineSeconds must be a whole number, got 'soon'.");
    }

    private InProcessCli.Run cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        return InProcessCli.run(all);
    }
}
