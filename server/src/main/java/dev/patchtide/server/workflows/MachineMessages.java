package dev.patchtide.server.workflows;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;

/** Shapes of the state machine, activity and tag actions, as in Step Functions' service model (lowerCamelCase). */
final class MachineMessages {
    private MachineMessages() {}

    static final int DEFINITION_MAX = 1_048_576;
    static final int ARN_MAX = 256;
    static final List<String> TYPES = List.of("STANDARD", "EXPRESS");

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record Tag(String key, String value) {}

    static void checkTags(Validation v, List<Tag> tags) {
        v.size("tags", tags, 0, 50);
        if (tags != null) {
            for (Tag t : tags) {
                v.required("tags.member.key", t.key())
                        .length("tags.member.key", t.key(), 1, 128)
                        .length("tags.member.value", t.value(), 0, 256);
            }
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record CreateStateMachineRequest(
            String name,
            String definition,
            String roleArn,
            String type,
            JsonNode loggingConfiguration,
            List<Tag> tags,
            JsonNode tracingConfiguration,
            Boolean publish,
            String versionDescription,
            JsonNode encryptionConfiguration)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name)
                    .length("name", name, 1, 80)
                    .required("definition", definition)
                    .length("definition", definition, 1, DEFINITION_MAX)
                    .required("roleArn", roleArn)
                    .length("roleArn", roleArn, 1, ARN_MAX)
                    .oneOf("type", type, TYPES)
                    .length("versionDescription", versionDescription, 0, 256);
            checkTags(v, tags);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record CreateStateMachineResponse(String stateMachineArn, Instant creationDate, String stateMachineVersionArn) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record StateMachineArnRequest(String stateMachineArn, String includedData) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("stateMachineArn", stateMachineArn)
                    .length("stateMachineArn", stateMachineArn, 1, ARN_MAX)
                    .oneOf("includedData", includedData, List.of("ALL_DATA", "METADATA_ONLY"));
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record DeleteStateMachineRequest(String stateMachineArn) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("stateMachineArn", stateMachineArn).length("stateMachineArn", stateMachineArn, 1, ARN_MAX);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DescribeStateMachineResponse(
            String stateMachineArn,
            String name,
            String status,
            String definition,
            String roleArn,
            String type,
            Instant creationDate,
            JsonNode loggingConfiguration,
            JsonNode tracingConfiguration,
            String revisionId,
            String description) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record PageRequest(Integer maxResults, String nextToken) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.range("maxResults", maxResults, 0, 1000).length("nextToken", nextToken, 1, 1024);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record StateMachineListItem(String stateMachineArn, String name, String type, Instant creationDate) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ListStateMachinesResponse(List<StateMachineListItem> stateMachines, String nextToken) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record UpdateStateMachineRequest(
            String stateMachineArn,
            String definition,
            String roleArn,
            JsonNode loggingConfiguration,
            JsonNode tracingConfiguration,
            Boolean publish,
            String versionDescription,
            JsonNode encryptionConfiguration)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("stateMachineArn", stateMachineArn)
                    .length("stateMachineArn", stateMachineArn, 1, ARN_MAX)
                    .length("definition", definition, 1, DEFINITION_MAX)
                    .length("roleArn", roleArn, 1, ARN_MAX)
                    .length("versionDescription", versionDescription, 0, 256);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record UpdateStateMachineResponse(Instant updateDate, String revisionId, String stateMachineVersionArn) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ValidateRequest(String definition, String type, String severity, Integer maxResults) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("definition", definition)
                    .length("definition", definition, 1, DEFINITION_MAX)
                    .oneOf("type", type, TYPES)
                    .oneOf("severity", severity, List.of("ERROR", "WARNING"))
                    .range("maxResults", maxResults, 0, 100);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DiagnosticView(String severity, String code, String message, String location) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ValidateResponse(String result, List<DiagnosticView> diagnostics, Boolean truncated) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record CreateActivityRequest(String name, List<Tag> tags, JsonNode encryptionConfiguration) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name).length("name", name, 1, 80);
            checkTags(v, tags);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record CreateActivityResponse(String activityArn, Instant creationDate) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ActivityArnRequest(String activityArn) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("activityArn", activityArn).length("activityArn", activityArn, 1, ARN_MAX);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ActivityView(String activityArn, String name, Instant creationDate) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ListActivitiesResponse(List<ActivityView> activities, String nextToken) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record GetActivityTaskRequest(String activityArn, String workerName) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("activityArn", activityArn)
                    .length("activityArn", activityArn, 1, ARN_MAX)
                    .length("workerName", workerName, 1, 80);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record GetActivityTaskResponse(String taskToken, String input) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record TagResourceRequest(String resourceArn, List<Tag> tags) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("resourceArn", resourceArn)
                    .length("resourceArn", resourceArn, 1, ARN_MAX)
                    .required("tags", tags);
            checkTags(v, tags);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record UntagResourceRequest(String resourceArn, List<String> tagKeys) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("resourceArn", resourceArn)
                    .length("resourceArn", resourceArn, 1, ARN_MAX)
                    .required("tagKeys", tagKeys)
                    .size("tagKeys", tagKeys, 0, 50);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ResourceArnRequest(String resourceArn) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("resourceArn", resourceArn).length("resourceArn", resourceArn, 1, ARN_MAX);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ListTagsResponse(List<Tag> tags) {}

    /** The empty answer of actions that return nothing. */
    record Empty() {}
}
