package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The AWS CLI, run as a process, drives rules, pattern tests, targets and events against a real server. */
class AwsCliEventsTest {
    static EventsFixture f;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(cliPresent(), "the aws CLI is not installed: AWS CLI tests skipped");
        f = new EventsFixture();
    }

    @AfterAll
    static void stop() {
        if (f != null) {
            f.close();
        }
    }

    static boolean cliPresent() {
        try {
            Process p = new ProcessBuilder("aws", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }
    }

    static Result aws(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("aws"));
        command.addAll(List.of(args));
        command.addAll(List.of("--endpoint-url", f.server.endpoint().toString(), "--output", "json"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("AWS_ACCESS_KEY_ID", f.server.adminKey().accessKeyId());
        pb.environment().put("AWS_SECRET_ACCESS_KEY", f.server.adminKey().secretAccessKey());
        pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        pb.environment().put("AWS_CONFIG_FILE", "/nonexistent/patchtide-test-config");
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/patchtide-test-credentials");
        pb.environment().remove("AWS_PROFILE");
        Process p = pb.start();
        var out = p.getInputStream();
        var err = p.getErrorStream();
        String stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(err.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), stdout, stderr);
    }

    @Test
    void putRuleTestEventPatternPutTargetsAndPutEvents() throws Exception {
        String pattern = "{\"source\":[\"aws.ssm\"],\"detail-type\":[\"Configuration Compliance State Change\"],"
                + "\"detail\":{\"compliance-status\":[\"non_compliant\"]}}";
        Result rule = aws("events", "put-rule", "--name", "noncompliant", "--event-pattern", pattern);
        assertThat(rule.exit()).as(rule.err()).isZero();
        assertThat(rule.json().path("RuleArn").asText())
                .isEqualTo("arn:aws:events:us-east-1:123456789012:rule/noncompliant");

        String event =
                "{\"id\":\"1\",\"account\":\"123456789012\",\"source\":\"aws.ssm\",\"time\":\"2026-05-01T18:48:11Z\","
                        + "\"region\":\"us-east-1\",\"resources\":[],\"detail-type\":\"Configuration Compliance State Change\","
                        + "\"detail\":{\"compliance-status\":\"non_compliant\"}}";
        Result tested = aws("events", "test-event-pattern", "--event-pattern", pattern, "--event", event);
        assertThat(tested.exit()).as(tested.err()).isZero();
        assertThat(tested.json().path("Result").asBoolean()).isTrue();

        Result bad =
                aws("events", "test-event-pattern", "--event-pattern", "{\"source\":\"aws.ssm\"}", "--event", event);
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("InvalidEventPatternException");

        Result targets = aws(
                "events",
                "put-targets",
                "--rule",
                "noncompliant",
                "--targets",
                "Id=alerts,Arn=" + EventsFixture.TOPIC + ",InputPath=$.detail");
        assertThat(targets.exit()).as(targets.err()).isZero();
        assertThat(targets.json().path("FailedEntryCount").asInt()).isZero();

        // The CLI may not send aws.* sources; a custom rule shows put-events end to end.
        assertThat(aws("events", "put-rule", "--name", "mine", "--event-pattern", "{\"source\":[\"my.app\"]}")
                        .exit())
                .isZero();
        assertThat(aws("events", "put-targets", "--rule", "mine", "--targets", "Id=t,Arn=" + EventsFixture.TOPIC)
                        .exit())
                .isZero();
        Result put = aws(
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
