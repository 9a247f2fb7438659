package dev.patchtide.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** boto3, run as a python3 process, tests patterns on events copied from blog posts (no resources). */
class Boto3EventsTest {
    static EventsFixture f;

    private static final String SCRIPT =
            """
            import json, sys, boto3, botocore.exceptions
            events = boto3.client("events", endpoint_url=sys.argv[1])
            event = json.dumps({"id": "1", "account": "123456789012", "source": "order",
                                "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "detail-type": "Test"})
            out = {}
            out["source"] = events.test_event_pattern(EventPattern='{"source":["order"]}', Event=event)["Result"]
            out["resources"] = events.test_event_pattern(
                EventPattern='{"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-1"]}', Event=event)["Result"]
            try:
                events.test_event_pattern(EventPattern='{"source":["order"]}', Event=json.dumps({"source": "order"}))
                out["missing"] = "accepted"
            except botocore.exceptions.ClientError as e:
                out["missing"] = e.response["Error"]["Code"]
            print(json.dumps(out))
            """;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(boto3Present(), "python3 with boto3 is not installed: boto3 tests skipped");
        f = new EventsFixture();
    }

    @AfterAll
    static void stop() {
        if (f != null) {
            f.close();
        }
    }

    static boolean boto3Present() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import boto3")
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

    @Test
    void anEventWithoutResourcesMatchesOnSourceAndNotOnResources() throws Exception {
        ProcessBuilder pb =
                new ProcessBuilder("python3", "-c", SCRIPT, f.server.endpoint().toString());
        pb.environment().put("AWS_ACCESS_KEY_ID", f.server.adminKey().accessKeyId());
        pb.environment().put("AWS_SECRET_ACCESS_KEY", f.server.adminKey().secretAccessKey());
        pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
        pb.environment().put("AWS_CONFIG_FILE", "/nonexistent/patchtide-test-config");
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/patchtide-test-credentials");
        pb.environment().remove("AWS_PROFILE");
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(stderr).isZero();
        JsonNode out = ApiJson.documents().readTree(stdout);
        assertThat(out.path("source").asBoolean(false)).isTrue();
        assertThat(out.path("resources").asBoolean(true)).isFalse();
        assertThat(out.path("missing").asText()).isEqualTo("ValidationException");
    }
}
