package dev.patchtide.server.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.ServerConfig;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;

/** A test server with the admin client, and helpers to call SNS actions and to put a scanned instance in the fleet. */
final class NotifyFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final TestServer server;
    final ApiClient admin;

    NotifyFixture(InstantSource clock) {
        this(clock, UnaryOperator.identity());
    }

    NotifyFixture(InstantSource clock, UnaryOperator<ServerConfig> settings) {
        server = TestServer.start(clock, settings);
        admin = server.adminClient();
    }

    JsonNode call(String action, Map<String, ?> body) throws IOException, ApiCallException {
        return admin.call("Patchtide." + action, body);
    }

    String createTopic(String name) throws Exception {
        return call("CreateTopic", Map.of("Name", name)).path("TopicArn").asText();
    }

    String subscribe(String topicArn, String protocol, String endpoint, Map<String, String> attributes)
            throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("TopicArn", topicArn);
        body.put("Protocol", protocol);
        body.put("Endpoint", endpoint);
        body.put("Attributes", attributes);
        body.put("ReturnSubscriptionArn", true);
        return call("Subscribe", body).path("SubscriptionArn").asText();
    }

    String publish(String topicArn, String message) throws Exception {
        return call("Publish", Map.of("TopicArn", topicArn, "Message", message))
                .path("MessageId")
                .asText();
    }

    int outboxSize() {
        return server.database().jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM outbox")
                .mapTo(Integer.class)
                .one());
    }

    /** Registers an instance named {@code name} whose scan misses one security update (and maybe needs a reboot). */
    String scannedInstance(String name, boolean rebootRequired) throws Exception {
        CreateActivationResponse activation =
                server.ssm().createActivation(b -> b.iamRole("r").defaultInstanceName(name));
        FakeAgent agent = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        agent.report(name + ".example.net", "10.0.0.7");
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
        report.put("OperationStartTime", Instant.now().getEpochSecond());
        report.put("OperationEndTime", Instant.now().getEpochSecond());
        report.put("InstalledCount", 700);
        report.put("RebootRequired", rebootRequired);
        report.put("Patches", List.of(patch));
        agent.client().call("Patchtide.PutPatchScanReport", report);
        return agent.instanceId();
    }

    /** A compliance-change event as EventBridge carries it (seed 001's sample), for one instance. */
    static String complianceEvent(String instanceId, String status, String severity) {
        return """
                {"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"Configuration Compliance State Change",\
                "source":"aws.ssm","account":"123456789012","time":"2026-11-23T10:00:00Z","region":"us-east-1",\
                "resources":["arn:aws:ssm:us-east-1:123456789012:managed-instance/%s"],\
                "detail":{"last-runtime":"2026-11-23T10:00:00Z","compliance-status":"%s","resource-type":"managed-instance",\
                "resource-id":"%s","compliance-type":"Patch","patch-baseline-id":"pb-0123456789abcdef0","severity":"%s"}}"""
                .formatted(instanceId, status, instanceId, severity);
    }

    @Override
    public void close() {
        server.close();
    }
}
