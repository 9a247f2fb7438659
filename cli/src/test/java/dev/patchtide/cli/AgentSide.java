package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.testing.FakeAgent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's side of Run Command spoken by the test itself (Patchtide.ReceiveCommandInvocations and
 * UpdateCommandInvocation, signed with the instance's own key), so a test decides each host's output, exit
 * code and status exactly.
 */
final class AgentSide {
    private AgentSide() {}

    /** Command ids handed to this agent, waiting up to a second for them. */
    static List<String> receive(FakeAgent agent) throws Exception {
        JsonNode answer = agent.client()
                .call(
                        "Patchtide.ReceiveCommandInvocations",
                        Map.of("InstanceId", agent.instanceId(), "WaitTimeSeconds", 1));
        List<String> ids = new ArrayList<>();
        answer.path("Invocations").forEach(i -> ids.add(i.path("CommandId").asText()));
        return ids;
    }

    /** Reports the run started, then its end, as the agent does. */
    static void finish(FakeAgent agent, String commandId, String status, int exitCode, String stdout, String stderr)
            throws Exception {
        update(agent, commandId, "InProgress", null, "", "");
        update(agent, commandId, status, exitCode, stdout, stderr);
    }

    static void update(FakeAgent agent, String commandId, String status, Integer exitCode, String stdout, String stderr)
            throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("CommandId", commandId);
        request.put("InstanceId", agent.instanceId());
        request.put("Status", status);
        if (exitCode != null) {
            request.put("ResponseCode", exitCode);
        }
        request.put("StandardOutputContent", stdout);
        request.put("StandardErrorContent", stderr);
        agent.client().call("Patchtide.UpdateCommandInvocation", request);
    }
}
