package dev.patchtide.server.fleet;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Request and response shapes of the activation actions, as in SSM's service model. */
final class ActivationMessages {
    private ActivationMessages() {}

    static final Pattern ACTIVATION_ID =
            Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    record RegistrationMetadataItem(String key, String value) {}

    record CreateActivationRequest(
            String description,
            String defaultInstanceName,
            String iamRole,
            Integer registrationLimit,
            Instant expirationDate,
            List<Tag> tags,
            List<RegistrationMetadataItem> registrationMetadata)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.length("description", description, 0, 256)
                    .length("defaultInstanceName", defaultInstanceName, 0, 256)
                    .pattern("defaultInstanceName", defaultInstanceName, Tag.TEXT)
                    .required("iamRole", iamRole)
                    .length("iamRole", iamRole, 0, 64)
                    .range("registrationLimit", registrationLimit, 1, 1000)
                    .size("tags", tags, 0, 1000);
            Tag.validate(tags, "tags", v);
        }
    }

    record CreateActivationResult(String activationId, String activationCode) {}

    record DescribeActivationsFilter(String filterKey, List<String> filterValues) {}

    record DescribeActivationsRequest(List<DescribeActivationsFilter> filters, Integer maxResults, String nextToken)
            implements ApiRequest {
        static final Set<String> KEYS = Set.of("ActivationIds", "DefaultInstanceName", "IamRole");

        @Override
        public void validate(Validation v) {
            v.range("maxResults", maxResults, 1, 50);
        }
    }

    record Activation(
            String activationId,
            String description,
            String defaultInstanceName,
            String iamRole,
            int registrationLimit,
            int registrationsCount,
            Instant expirationDate,
            boolean expired,
            Instant createdDate,
            List<Tag> tags) {}

    record DescribeActivationsResult(List<Activation> activationList, String nextToken) {}

    record DeleteActivationRequest(String activationId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("activationId", activationId).pattern("activationId", activationId, ACTIVATION_ID);
        }
    }

    /** Patchtide's own action: an agent trades an activation id and code for an instance id and key. */
    record RegisterManagedInstanceRequest(String activationId, String activationCode) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("activationId", activationId)
                    .pattern("activationId", activationId, ACTIVATION_ID)
                    .required("activationCode", activationCode)
                    .length("activationCode", activationCode, 20, 250);
        }
    }

    record RegisterManagedInstanceResult(
            String instanceId,
            String accessKeyId,
            String secretAccessKey,
            String region,
            long heartbeatIntervalSeconds) {}

    record Empty() {}
}
