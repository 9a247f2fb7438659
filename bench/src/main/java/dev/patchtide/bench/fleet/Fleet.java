package dev.patchtide.bench.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.core.auth.SigV4Credentials;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The virtual agents and how they join: hybrid activations created with the admin key (SSM allows 1,000
 * registrations each), tagged with a patch group, a role and an environment that the instances inherit;
 * then each agent registers and reports its facts as the real agent does.
 */
final class Fleet {
    static final int REGISTRATION_LIMIT = 1_000;
    static final String[] ENVIRONMENTS = {"prod", "staging", "dev"};

    record Activation(String id, String code, String patchGroup) {}

    /** A registered agent: its id and its own instance key. */
    record Agent(String instanceId, SigV4Credentials key) {}

    private final FleetClient client;
    private final SigV4Credentials admin;
    private final int hosts;
    private final List<Activation> activations = new ArrayList<>();
    private final Agent[] agents;

    Fleet(FleetClient client, SigV4Credentials admin, int hosts) {
        this.client = client;
        this.admin = admin;
        this.hosts = hosts;
        this.agents = new Agent[hosts];
    }

    /** Agents registered elsewhere (tests that answer the agents' calls themselves). */
    static Fleet of(FleetClient client, List<Agent> registered) {
        Fleet fleet = new Fleet(client, null, registered.size());
        for (int h = 0; h < registered.size(); h++) {
            fleet.agents[h] = registered.get(h);
        }
        return fleet;
    }

    /** Patch group of activation {@code a}: role and environment, such as {@code web-prod}. */
    static String patchGroup(int activation) {
        return FleetModel.role(activation) + "-" + ENVIRONMENTS[(activation / FleetModel.roles()) % 3];
    }

    /**
     * Enough activations for every host, and at least one per client thread so concurrent registrations do
     * not all queue on one activation's row lock.
     */
    void createActivations(int concurrency) throws IOException, ApiCallException {
        int count = Math.max(ceilDiv(hosts, REGISTRATION_LIMIT), Math.min(hosts, concurrency));
        int limit = ceilDiv(hosts, count);
        for (int a = 0; a < count; a++) {
            String group = patchGroup(a);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("Description", "fleet simulator " + a);
            body.put("DefaultInstanceName", "sim-" + a);
            body.put("IamRole", "SSMServiceRole");
            body.put("RegistrationLimit", limit);
            body.put(
                    "Tags",
                    List.of(
                            Map.of("Key", "Patch Group", "Value", group),
                            Map.of("Key", "Role", "Value", FleetModel.role(a)),
                            Map.of("Key", "Environment", "Value", ENVIRONMENTS[(a / FleetModel.roles()) % 3])));
            JsonNode answer = client.call("AmazonSSM.CreateActivation", body, Optional.of(admin));
            activations.add(new Activation(
                    answer.path("ActivationId").asText(),
                    answer.path("ActivationCode").asText(),
                    group));
        }
    }

    int hosts() {
        return hosts;
    }

    int activationCount() {
        return activations.size();
    }

    Activation activationOf(int host) {
        return activations.get(host % activations.size());
    }

    void register(int host) throws IOException, ApiCallException {
        Activation a = activationOf(host);
        JsonNode answer = client.call(
                "Patchtide.RegisterManagedInstance",
                Map.of("ActivationId", a.id(), "ActivationCode", a.code()),
                Optional.empty());
        agents[host] = new Agent(
                answer.path("InstanceId").asText(),
                new SigV4Credentials(
                        answer.path("AccessKeyId").asText(),
                        answer.path("SecretAccessKey").asText()));
    }

    void updateInstanceInformation(int host) throws IOException, ApiCallException {
        Agent agent = agent(host);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("InstanceId", agent.instanceId());
        facts.put("AgentName", "patchtide-agent");
        facts.put("AgentVersion", "0.1.0");
        facts.put("AgentStatus", "Active");
        facts.put("ComputerName", "sim-" + host + ".fleet.example");
        String ip = "10." + ((host >> 16) & 255) + "." + ((host >> 8) & 255) + "." + (host & 255);
        facts.put("IPAddress", ip);
        facts.put("IPAddresses", List.of(ip));
        facts.put("PlatformType", "Linux");
        boolean ubuntu = host % 5 == 4;
        facts.put("PlatformName", ubuntu ? "Ubuntu" : "Debian GNU/Linux");
        facts.put("PlatformVersion", ubuntu ? "22.04" : "12");
        client.call("AmazonSSM.UpdateInstanceInformation", facts, Optional.of(agent.key()));
    }

    Agent agent(int host) {
        Agent a = agents[host];
        if (a == null) {
            throw new IllegalStateException("host " + host + " is not registered");
        }
        return a;
    }

    List<String> instanceIds() {
        List<String> ids = new ArrayList<>(hosts);
        for (Agent a : agents) {
            if (a != null) {
                ids.add(a.instanceId());
            }
        }
        return ids;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
