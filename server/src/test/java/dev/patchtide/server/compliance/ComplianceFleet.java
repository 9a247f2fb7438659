package dev.patchtide.server.compliance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.core.auth.SigV4Credentials;
import dev.patchtide.server.testing.FakeAgent;
import dev.patchtide.server.testing.TestServer;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ssm.model.CreateActivationResponse;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * A small fleet made the way a real one is: agents register, report their facts and their scans, an
 * operator tags them. Judged by the default Debian baseline, only security updates count as missing.
 *
 * <ul>
 *   <li>{@code web1} (Patch Group web, env prod): openssl missing, NON_COMPLIANT (1 security)
 *   <li>{@code web2} (web, env staging): nothing missing, COMPLIANT
 *   <li>{@code web3} (web): never scanned
 *   <li>{@code db1} (db, env prod): openssl and curl missing, NON_COMPLIANT (2 security)
 *   <li>{@code misc} (no patch group): COMPLIANT
 *   <li>a sixth instance, NON_COMPLIANT, then deregistered: counted nowhere
 * </ul>
 */
public record ComplianceFleet(
        FakeAgent web1, FakeAgent web2, FakeAgent web3, FakeAgent db1, FakeAgent misc, ApiClient admin) {

    public static ComplianceFleet create(TestServer server) throws IOException, ApiCallException {
        CreateActivationResponse activation =
                server.ssm().createActivation(b -> b.iamRole("r").registrationLimit(10));
        FakeAgent[] agents = new FakeAgent[6];
        for (int i = 0; i < agents.length; i++) {
            agents[i] = FakeAgent.register(server.endpoint(), activation.activationId(), activation.activationCode());
        }
        // Registration order is random in id; sort so each name below goes with a known id order.
        Arrays.sort(agents, (a, b) -> a.instanceId().compareTo(b.instanceId()));
        String[] names = {"web1", "web2", "web3", "db1", "misc", "gone"};
        for (int i = 0; i < agents.length; i++) {
            agents[i].report(names[i] + ".example.com", "10.0.0." + (i + 1));
        }
        ComplianceFleet fleet =
                new ComplianceFleet(agents[0], agents[1], agents[2], agents[3], agents[4], admin(server));
        tag(server, fleet.web1, "Patch Group", "web", "env", "prod");
        tag(server, fleet.web2, "Patch Group", "web", "env", "staging");
        tag(server, fleet.web3, "Patch Group", "web");
        tag(server, fleet.db1, "Patch Group", "db", "env", "prod", "owner", "dba-team");

        scan(fleet.web1, List.of(patch("openssl", true)));
        scan(fleet.web2, List.of());
        scan(fleet.db1, List.of(patch("openssl", true), patch("curl", true), patch("tzdata", false)));
        scan(fleet.misc, List.of());
        scan(agents[5], List.of(patch("openssl", true)));
        server.ssm().deregisterManagedInstance(b -> b.instanceId(agents[5].instanceId()));
        return fleet;
    }

    public static ApiClient admin(TestServer server) {
        return client(server, server.adminKey().accessKeyId(), server.adminKey().secretAccessKey());
    }

    public static ApiClient client(TestServer server, String keyId, String secret) {
        return new ApiClient(
                server.endpoint(),
                TestServer.REGION,
                Optional.of(new SigV4Credentials(keyId, secret)),
                InstantSource.system());
    }

    private static void tag(TestServer server, FakeAgent agent, String... keyValues) {
        Tag[] tags = new Tag[keyValues.length / 2];
        for (int i = 0; i < tags.length; i++) {
            tags[i] = Tag.builder()
                    .key(keyValues[2 * i])
                    .value(keyValues[2 * i + 1])
                    .build();
        }
        server.ssm().addTagsToResource(b -> b.resourceType(ResourceTypeForTagging.MANAGED_INSTANCE)
                .resourceId(agent.instanceId())
                .tags(tags));
    }

    public static JsonNode scan(FakeAgent agent, List<Map<String, Object>> patches)
            throws IOException, ApiCallException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("InstanceId", agent.instanceId());
        body.put("OperatingSystem", "DEBIAN");
        body.put("OperationStartTime", Instant.now().getEpochSecond());
        body.put("OperationEndTime", Instant.now().getEpochSecond());
        body.put("InstalledCount", 500);
        body.put("RebootRequired", false);
        body.put("Patches", patches);
        return agent.client().call("Patchtide.PutPatchScanReport", body);
    }

    public static Map<String, Object> patch(String name, boolean security) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("Name", name);
        p.put("Arch", "amd64");
        p.put("InstalledVersion", "1.0-1");
        p.put("AvailableVersion", "1.0-2");
        p.put("Product", "Debian12");
        p.put("Priority", "optional");
        p.put("Section", "utils");
        p.put("Security", security);
        p.put("CVEIds", security ? List.of("CVE-2025-0001") : List.of());
        return p;
    }
}
