package dev.patchtide.server.fleet;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.fleet.ShippedAgents.ShippedPackage;
import java.util.List;

/**
 * {@code Patchtide.DescribeAgentPackages}: the agent packages this server ships, with the size and SHA-256 an
 * agent checks its download against (the upgrade step of {@code Patchtide-UpdateAgent}), and the latest version,
 * the one {@code IsLatestVersion} compares with. An instance may ask for itself; operators for any.
 */
final class AgentPackageMessages {
    static final String DESCRIBE = "Patchtide.DescribeAgentPackages";

    private AgentPackageMessages() {}

    /** @param instanceId the asking instance (an agent names itself); optional for operators */
    record DescribeAgentPackagesRequest(String instanceId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            if (instanceId != null) {
                v.pattern("InstanceId", instanceId, InstanceMessages.ANY_INSTANCE_ID);
            }
        }
    }

    record AgentPackage(
            String fileName, String version, String format, String architecture, long size, String sha256) {}

    record DescribeAgentPackagesResult(String latestVersion, List<AgentPackage> packages) {}

    static DescribeAgentPackagesResult describe(ShippedAgents shipped) {
        List<AgentPackage> packages = shipped.packages().stream()
                .map((ShippedPackage p) ->
                        new AgentPackage(p.fileName(), p.version(), p.format(), p.architecture(), p.size(), p.sha256()))
                .toList();
        return new DescribeAgentPackagesResult(shipped.latestVersion(), packages);
    }
}
