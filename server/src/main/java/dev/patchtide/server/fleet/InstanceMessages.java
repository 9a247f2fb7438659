package dev.patchtide.server.fleet;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Request and response shapes of the managed-instance actions, as in SSM's service model. */
final class InstanceMessages {
    private InstanceMessages() {}

    static final Pattern MANAGED_INSTANCE_ID = Pattern.compile("^mi-[0-9a-f]{17}$");
    static final Pattern ANY_INSTANCE_ID = Pattern.compile("(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)");
    static final Pattern AGENT_VERSION = Pattern.compile("^[0-9]{1,6}(\\.[0-9]{1,6}){2,3}$");
    static final Set<String> PLATFORM_TYPES = Set.of("Windows", "Linux", "MacOS");

    record InstanceInformationFilter(
            @JsonProperty("key") String key, @JsonProperty("valueSet") List<String> valueSet) {}

    record InstanceInformationStringFilter(String key, List<String> values) {}

    record DescribeInstanceInformationRequest(
            List<InstanceInformationFilter> instanceInformationFilterList,
            List<InstanceInformationStringFilter> filters,
            Integer maxResults,
            String nextToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.range("maxResults", maxResults, 5, 50);
            if (instanceInformationFilterList != null) {
                for (int i = 0; i < instanceInformationFilterList.size(); i++) {
                    InstanceInformationFilter f = instanceInformationFilterList.get(i);
                    String at = "instanceInformationFilterList." + (i + 1) + ".member";
                    v.required(at + ".key", f.key())
                            .required(at + ".valueSet", f.valueSet())
                            .size(at + ".valueSet", f.valueSet(), 1, 100);
                }
            }
            if (filters != null) {
                for (int i = 0; i < filters.size(); i++) {
                    InstanceInformationStringFilter f = filters.get(i);
                    String at = "filters." + (i + 1) + ".member";
                    v.required(at + ".key", f.key())
                            .length(at + ".key", f.key(), 1, Integer.MAX_VALUE)
                            .required(at + ".values", f.values())
                            .size(at + ".values", f.values(), 1, 100);
                }
            }
        }
    }

    record InstanceInformation(
            String instanceId,
            String pingStatus,
            Instant lastPingDateTime,
            String agentVersion,
            Boolean isLatestVersion,
            String platformType,
            String platformName,
            String platformVersion,
            String activationId,
            String iamRole,
            Instant registrationDate,
            String resourceType,
            String name,
            @JsonProperty("IPAddress") String ipAddress,
            String computerName,
            String sourceId,
            String sourceType) {}

    record DescribeInstanceInformationResult(List<InstanceInformation> instanceInformationList, String nextToken) {}

    record DeregisterManagedInstanceRequest(String instanceId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("instanceId", instanceId)
                    .length("instanceId", instanceId, 20, 124)
                    .pattern("instanceId", instanceId, MANAGED_INSTANCE_ID);
        }
    }

    /**
     * The agent's heartbeat and host facts. Not in SSM's public model (its agent calls it privately);
     * the member names follow the agent's. {@code IPAddresses} is Patchtide's: every address of the host.
     */
    record UpdateInstanceInformationRequest(
            String instanceId,
            String agentName,
            String agentVersion,
            String agentStatus,
            String platformName,
            String platformType,
            String platformVersion,
            String computerName,
            @JsonProperty("IPAddress") String ipAddress,
            @JsonProperty("IPAddresses") List<String> ipAddresses)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("instanceId", instanceId)
                    .pattern("instanceId", instanceId, MANAGED_INSTANCE_ID)
                    .pattern("agentVersion", agentVersion, AGENT_VERSION)
                    .oneOf("platformType", platformType, PLATFORM_TYPES)
                    .length("computerName", computerName, 1, 255)
                    .length("iPAddress", ipAddress, 1, 46)
                    .length("platformName", platformName, 0, 256)
                    .length("platformVersion", platformVersion, 0, 256)
                    .length("agentName", agentName, 0, 256)
                    .length("agentStatus", agentStatus, 0, 256)
                    .size("iPAddresses", ipAddresses, 0, 64);
            if (ipAddresses != null) {
                for (int i = 0; i < ipAddresses.size(); i++) {
                    v.required("iPAddresses." + (i + 1), ipAddresses.get(i))
                            .length("iPAddresses." + (i + 1), ipAddresses.get(i), 1, 46);
                }
            }
        }
    }
}
