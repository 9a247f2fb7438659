package dev.patchtide.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Shapes of the target actions, as in EventBridge's service model. */
final class TargetMessages {
    private TargetMessages() {}

    static final Pattern TARGET_ID = Pattern.compile("[\\.\\-_A-Za-z0-9]+");
    static final Pattern PATHS_KEY = Pattern.compile("[A-Za-z0-9\\_\\-]+");

    record InputTransformer(Map<String, String> inputPathsMap, String inputTemplate) {}

    record Retry(Integer maximumRetryAttempts, Integer maximumEventAgeInSeconds) {}

    record DeadLetter(String arn) {}

    /**
     * A rule's target. The parameters of target types Patchtide does not deliver to (ECS, Batch, ...) are
     * kept as given, so ListTargetsByRule returns what PutTargets stored. {@code DedupePolicy} is Patchtide's
     * extension for topic targets (the SNS subscription attribute's syntax): the built-in reboot-pending
     * alert uses it to tell a team once per instance, not on every scan.
     */
    record Target(
            String id,
            String arn,
            String roleArn,
            String input,
            String inputPath,
            InputTransformer inputTransformer,
            JsonNode kinesisParameters,
            JsonNode runCommandParameters,
            JsonNode ecsParameters,
            JsonNode batchParameters,
            JsonNode sqsParameters,
            JsonNode httpParameters,
            JsonNode redshiftDataParameters,
            JsonNode sageMakerPipelineParameters,
            DeadLetter deadLetterConfig,
            Retry retryPolicy,
            JsonNode appSyncParameters,
            String dedupePolicy) {

        void validate(Validation v, String at) {
            v.required(at + ".id", id)
                    .length(at + ".id", id, 1, 64)
                    .pattern(at + ".id", id, TARGET_ID)
                    .required(at + ".arn", arn)
                    .length(at + ".arn", arn, 1, 1600)
                    .length(at + ".roleArn", roleArn, 1, 1600)
                    .length(at + ".input", input, 0, 8192)
                    .length(at + ".inputPath", inputPath, 0, 256)
                    .length(at + ".dedupePolicy", dedupePolicy, 1, 2048);
            if (inputTransformer != null) {
                String t = at + ".inputTransformer";
                v.required(t + ".inputTemplate", inputTransformer.inputTemplate())
                        .length(t + ".inputTemplate", inputTransformer.inputTemplate(), 1, 8192);
                if (inputTransformer.inputPathsMap() != null) {
                    v.check(
                            inputTransformer.inputPathsMap().size() <= 100,
                            "Value at '" + t + ".inputPathsMap' failed to satisfy constraint: Member must have"
                                    + " length less than or equal to 100");
                    inputTransformer.inputPathsMap().forEach((key, path) -> v.length(
                                    t + ".inputPathsMap.key", key, 1, 256)
                            .pattern(t + ".inputPathsMap.key", key, PATHS_KEY)
                            .length(t + ".inputPathsMap.value", path, 0, 256));
                }
            }
            if (retryPolicy != null) {
                v.range(at + ".retryPolicy.maximumRetryAttempts", retryPolicy.maximumRetryAttempts(), 0, 185)
                        .range(
                                at + ".retryPolicy.maximumEventAgeInSeconds",
                                retryPolicy.maximumEventAgeInSeconds(),
                                60,
                                86400);
            }
            if (deadLetterConfig != null) {
                v.length(at + ".deadLetterConfig.arn", deadLetterConfig.arn(), 1, 1600);
            }
        }
    }

    record PutTargetsRequest(String rule, String eventBusName, List<Target> targets) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            RuleMessages.ruleName(v, "rule", rule);
            RuleMessages.busName(v, eventBusName);
            v.required("targets", targets).size("targets", targets, 1, 100);
            if (targets != null) {
                for (int i = 0; i < targets.size(); i++) {
                    String at = "targets." + (i + 1) + ".member";
                    v.required(at, targets.get(i));
                    if (targets.get(i) != null) {
                        targets.get(i).validate(v, at);
                    }
                }
            }
        }
    }

    record FailedEntry(String targetId, String errorCode, String errorMessage) {}

    record PutTargetsResponse(int failedEntryCount, List<FailedEntry> failedEntries) {}

    record RemoveTargetsRequest(String rule, String eventBusName, List<String> ids, Boolean force)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            RuleMessages.ruleName(v, "rule", rule);
            RuleMessages.busName(v, eventBusName);
            v.required("ids", ids).size("ids", ids, 1, 100);
            if (ids != null) {
                for (int i = 0; i < ids.size(); i++) {
                    String at = "ids." + (i + 1) + ".member";
                    v.required(at, ids.get(i)).length(at, ids.get(i), 1, 64).pattern(at, ids.get(i), TARGET_ID);
                }
            }
        }
    }

    record RemoveTargetsResponse(int failedEntryCount, List<FailedEntry> failedEntries) {}

    record ListTargetsByRuleRequest(String rule, String eventBusName, String nextToken, Integer limit)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            RuleMessages.ruleName(v, "rule", rule);
            RuleMessages.busName(v, eventBusName);
            v.length("nextToken", nextToken, 1, 2048).range("limit", limit, 1, 100);
        }
    }

    record ListTargetsByRuleResponse(List<Target> targets, String nextToken) {}

    record ListRuleNamesByTargetRequest(String targetArn, String eventBusName, String nextToken, Integer limit)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("targetArn", targetArn).length("targetArn", targetArn, 1, 1600);
            RuleMessages.busName(v, eventBusName);
            v.length("nextToken", nextToken, 1, 2048).range("limit", limit, 1, 100);
        }
    }

    record ListRuleNamesByTargetResponse(List<String> ruleNames, String nextToken) {}
}
