package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.testing.AwsCli;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AWS CLI, run as a process, drives rules, pattern tests, targets and events against a real server. */
class AwsCliEventsTest {
    static EventsFixture f;
    static AwsCli cli;

    @BeforeAll
    static void start(@TempDir Path profileDir) throws IOException {
        Assumptions.assumeTrue(AwsCli.present(), "the aws CLI is not installed: AWS CLI tests skipped");
        f = new EventsFixture();
        cli = AwsCli.against(profileDir, f.server);
    }

    @AfterAll
    static void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void putRuleTestEventPatternPutTargetsAndPutEvents() throws Exception {
        String pattern = "{\"source\":[\"aws.ssm\"],\"detail-type\":[\"Configuration Compliance State Change\"],"
                + "\"detail\":{\"compliance-status\":[\"non_compliant\"]}}";
        AwsCli.Result rule = cli.run("events", "put-rule", "--name", "noncompliant", "--event-pattern", pattern);
        assertThat(rule.exit()).as(rule.err()).isZero();
        assertThat(rule.json().path("RuleArn").asText())
                .isEqualTo("arn:aws:events:us-east-1:123456789012:rule/noncompliant");

        String event =
                "{\"id\":\"1\",\"account\":\"123456789012\",\"source\":\"aws.ssm\",\"time\":\"2026-05-01T18:48:11Z\","
                        + "\"region\":\"us-east-1\",\"resources\":[],\"detail-type\":\"Configuration Compliance State Change\","
                        + "\"detail\":{\"compliance-status\":\"non_compliant\"}}";
        AwsCli.Result tested = cli.run("events", "test-event-pattern", "--event-pattern", pattern, "--event", event);
        assertThat(tested.exit()).as(tested.err()).isZero();
        assertThat(tested.json().path("Result").asBoolean()).isTrue();

        AwsCli.Result bad = cli.run(
                "events", "test-event-pattern", "--event-pattern", "{\"source\":\"aws.ssm\"}", "--event", event);
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("InvalidEventPatternException");

        AwsCli.Result targets = cli.run(
                "events",
                "put-targets",
                "--rule",
                "noncompliant",
                "--targets",
                "Id=alerts,Arn=" + EventsFixture.TOPIC + ",InputPath=$.detail");
        assertThat(targets.exit()).as(targets.err()).isZero();
        assertThat(targets.json().path("FailedEntryCount").asInt()).isZero();

        // The CLI may not send aws.* sources; a custom rule shows put-events end to end.
        assertThat(cli.run("events", "put-rule", "--name", "mine", "--event-pattern", "{\"source\":[\"my.app\"]}")
                        .exit())
                .isZero();
        assertThat(cli.run("events", "put-targets", "--rule", "mine", "--targets", "Id=t,Arn=" + EventsFixture.TOPIC)
                        .exit())
                .isZero();
        AwsCli.Result put = cli.run(
                "events",
                "put-events",
                "--entries",
                "[{\"Source\":\"my.app\",\"DetailType\":\"hello\",\"Detail\":\"{\\\"n\\\":1}\"}]");
        assertThat(put.exit()).as(put.err()).isZero();
        assertThat(put.json().path("FailedEntryCount").asInt()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> f.topics.received.size() == 1);
        assertThat(new ObjectMapper()
                        .readTree(f.topics.received.peek().delivery().payload())
                        .path("detail-type")
                        .asText())
                .isEqualTo("hello");
    }
}
