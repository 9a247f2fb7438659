package dev.patchtide.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.Version;
import dev.patchtide.core.auth.SigV4Credentials;
import java.io.IOException;
import java.net.URI;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Speaks the agent's side of the protocol over real HTTP with the agent's own client, for tests that
 * need many instances or precise reports. (The end-to-end tests run the real agent process.)
 */
public record FakeAgent(String instanceId, String accessKeyId, String secretAccessKey, ApiClient client) {

    /** Signs with the real clock: signature freshness is checked against wall time, not the test's clock. */
    public static FakeAgent register(URI endpoint, String activationId, String activationCode)
            throws IOException, ApiCallException {
        InstantSource clock = InstantSource.system();
        JsonNode answer = new ApiClient(endpoint, TestServer.REGION, Optional.empty(), clock)
                .call(
                        "Patchtide.RegisterManagedInstance",
                        Map.of("ActivationId", activationId, "ActivationCode", activationCode));
        String keyId = answer.path("AccessKeyId").asText();
        String secret = answer.path("SecretAccessKey").asText();
        ApiClient signed =
                new ApiClient(endpoint, TestServer.REGION, Optional.of(new SigV4Credentials(keyId, secret)), clock);
        return new FakeAgent(answer.path("InstanceId").asText(), keyId, secret, signed);
    }

    public void report(String computerName, String ipAddress) throws IOException, ApiCallException {
        report(instanceId, computerName, ipAddress);
    }

    /** Reports facts for {@code targetInstanceId}, which may differ from this agent's own id in negative tests. */
    public void report(String targetInstanceId, String computerName, String ipAddress)
            throws IOException, ApiCallException {
        report(targetInstanceId, computerName, ipAddress, Version.current());
    }

    /** Reports as an agent of {@code agentVersion} (the real agent reports {@link Version#current()}). */
    public void reportAsVersion(String agentVersion) throws IOException, ApiCallException {
        report(instanceId, "host", "10.0.0.1", agentVersion);
    }

    private void report(String targetInstanceId, String computerName, String ipAddress, String agentVersion)
            throws IOException, ApiCallException {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("InstanceId", targetInstanceId);
        facts.put("AgentName", "patchtide-agent");
        facts.put("AgentVersion", agentVersion);
        facts.put("ComputerName", computerName);
        facts.put("IPAddress", ipAddress);
        facts.put("IPAddresses", List.of(ipAddress));
        facts.put("PlatformType", "Linux");
        facts.put("PlatformName", "Debian GNU/Linux");
        facts.put("PlatformVersion", "12");
        client.call("AmazonSSM.UpdateInstanceInformation", facts);
    }
}
