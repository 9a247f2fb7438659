package dev.patchtide.server.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Request and response shapes of Run Command's actions, as in SSM's service model. */
final class CommandMessages {
    private CommandMessages() {}

    static final Pattern INSTANCE_ID = Pattern.compile("(^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)");
    static final Pattern DOCUMENT_ARN = Pattern.compile("^[a-zA-Z0-9_\\-.:/]{3,128}$");
    static final Pattern DOCUMENT_VERSION = Pattern.compile("([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)");
    static final Pattern MAX_CONCURRENCY = Pattern.compile("^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$");
    static final Pattern MAX_ERRORS = Pattern.compile("^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$");
    static final Pattern TARGET_KEY = Pattern.compile("^[\\p{L}\\p{Z}\\p{N}_.:/=\\-@]*$");

    record Target(String key, List<String> values) {}

    record NotificationConfig(String notificationArn, List<String> notificationEvents, String notificationType) {}

    record CloudWatchOutputConfig(String cloudWatchLogGroupName, Boolean cloudWatchOutputEnabled) {}

    record SendCommandRequest(
            List<String> instanceIds,
            List<Target> targets,
            String documentName,
            String documentVersion,
            String documentHash,
            String documentHashType,
            Integer timeoutSeconds,
            String comment,
            Map<String, List<String>> parameters,
            String outputS3Region,
            String outputS3BucketName,
            String outputS3KeyPrefix,
            String maxConcurrency,
            String maxErrors,
            String serviceRoleArn,
            NotificationConfig notificationConfig,
            CloudWatchOutputConfig cloudWatchOutputConfig,
            JsonNode alarmConfiguration)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("documentName", documentName)
                    .pattern("documentName", documentName, DOCUMENT_ARN)
                    .pattern("documentVersion", documentVersion, DOCUMENT_VERSION)
                    .length("documentHash", documentHash, 0, 256)
                    .oneOf("documentHashType", documentHashType, List.of("Sha256", "Sha1"))
                    .range("timeoutSeconds", timeoutSeconds, 30, 2_592_000)
                    .length("comment", comment, 0, 100)
                    .length("outputS3Region", outputS3Region, 3, 20)
                    .length("outputS3BucketName", outputS3BucketName, 3, 63)
                    .length("outputS3KeyPrefix", outputS3KeyPrefix, 0, 500)
                    .length("maxConcurrency", maxConcurrency, 1, 7)
                    .pattern("maxConcurrency", maxConcurrency, MAX_CONCURRENCY)
                    .length("maxErrors", maxErrors, 1, 7)
                    .pattern("maxErrors", maxErrors, MAX_ERRORS)
                    .size("instanceIds", instanceIds, 0, 50)
                    .size("targets", targets, 0, 5);
            if (instanceIds != null) {
                for (int i = 0; i < instanceIds.size(); i++) {
                    v.required("instanceIds." + (i + 1) + ".member", instanceIds.get(i))
                            .pattern("instanceIds." + (i + 1) + ".member", instanceIds.get(i), INSTANCE_ID);
                }
            }
            if (targets != null) {
                for (int i = 0; i < targets.size(); i++) {
                    Target t = targets.get(i);
                    String at = "targets." + (i + 1) + ".member";
                    v.length(at + ".key", t.key(), 1, 163)
                            .pattern(at + ".key", t.key(), TARGET_KEY)
                            .size(at + ".values", t.values(), 0, 50);
                }
            }
            if (notificationConfig != null) {
                v.oneOf(
                        "notificationConfig.notificationType",
                        notificationConfig.notificationType(),
                        List.of("Command", "Invocation"));
                if (notificationConfig.notificationEvents() != null) {
                    for (String event : notificationConfig.notificationEvents()) {
                        v.oneOf(
                                "notificationConfig.notificationEvents.member",
                                event,
                                List.of("All", "InProgress", "Success", "TimedOut", "Cancelled", "Failed"));
                    }
                }
            }
        }
    }

    record Command(
            String commandId,
            String documentName,
            String documentVersion,
            String comment,
            Instant expiresAfter,
            Map<String, List<String>> parameters,
            List<String> instanceIds,
            List<Target> targets,
            Instant requestedDateTime,
            String status,
            String statusDetails,
            String outputS3Region,
            String outputS3BucketName,
            String outputS3KeyPrefix,
            String maxConcurrency,
            String maxErrors,
            int targetCount,
            int completedCount,
            int errorCount,
            int deliveryTimedOutCount,
            String serviceRole,
            NotificationConfig notificationConfig,
            CloudWatchOutputConfig cloudWatchOutputConfig,
            int timeoutSeconds) {}

    record SendCommandResult(Command command) {}

    record CommandFilter(
            @com.fasterxml.jackson.annotation.JsonProperty("key") String key,
            @com.fasterxml.jackson.annotation.JsonProperty("value") String value) {}

    record ListCommandsRequest(
            String commandId, String instanceId, Integer maxResults, String nextToken, List<CommandFilter> filters)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.length("commandId", commandId, 36, 36)
                    .pattern("instanceId", instanceId, INSTANCE_ID)
                    .range("maxResults", maxResults, 1, 50)
                    .size("filters", filters, 1, 5);
            validateFilters(v, filters);
        }
    }

    record ListCommandsResult(List<Command> commands, String nextToken) {}

    record ListCommandInvocationsRequest(
            String commandId,
            String instanceId,
            Integer maxResults,
            String nextToken,
            List<CommandFilter> filters,
            Boolean details)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.length("commandId", commandId, 36, 36)
                    .pattern("instanceId", instanceId, INSTANCE_ID)
                    .range("maxResults", maxResults, 1, 50)
                    .size("filters", filters, 1, 5);
            validateFilters(v, filters);
        }
    }

    static void validateFilters(Validation v, List<CommandFilter> filters) {
        if (filters == null) {
            return;
        }
        for (int i = 0; i < filters.size(); i++) {
            CommandFilter f = filters.get(i);
            String at = "filters." + (i + 1) + ".member";
            v.required(at + ".key", f.key())
                    .oneOf(
                            at + ".key",
                            f.key(),
                            List.of("InvokedAfter", "InvokedBefore", "Status", "ExecutionStage", "DocumentName"))
                    .required(at + ".value", f.value())
                    .length(at + ".value", f.value(), 1, 128);
        }
    }

    record CommandPlugin(
            String name,
            String status,
            String statusDetails,
            Integer responseCode,
            Instant responseStartDateTime,
            Instant responseFinishDateTime,
            String output,
            String standardOutputUrl,
            String standardErrorUrl,
            String outputS3Region,
            String outputS3BucketName,
            String outputS3KeyPrefix) {}

    record CommandInvocation(
            String commandId,
            String instanceId,
            String instanceName,
            String comment,
            String documentName,
            String documentVersion,
            Instant requestedDateTime,
            String status,
            String statusDetails,
            String traceOutput,
            String standardOutputUrl,
            String standardErrorUrl,
            List<CommandPlugin> commandPlugins,
            String serviceRole,
            NotificationConfig notificationConfig,
            CloudWatchOutputConfig cloudWatchOutputConfig) {}

    record ListCommandInvocationsResult(List<CommandInvocation> commandInvocations, String nextToken) {}

    record GetCommandInvocationRequest(String commandId, String instanceId, String pluginName) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("commandId", commandId)
                    .length("commandId", commandId, 36, 36)
                    .required("instanceId", instanceId)
                    .pattern("instanceId", instanceId, INSTANCE_ID)
                    .length("pluginName", pluginName, 4, Integer.MAX_VALUE);
        }
    }

    record GetCommandInvocationResult(
            String commandId,
            String instanceId,
            String comment,
            String documentName,
            String documentVersion,
            String pluginName,
            int responseCode,
            String executionStartDateTime,
            String executionElapsedTime,
            String executionEndDateTime,
            String status,
            String statusDetails,
            String standardOutputContent,
            String standardOutputUrl,
            String standardErrorContent,
            String standardErrorUrl,
            CloudWatchOutputConfig cloudWatchOutputConfig) {}

    record CancelCommandRequest(String commandId, List<String> instanceIds) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("commandId", commandId)
                    .length("commandId", commandId, 36, 36)
                    .size("instanceIds", instanceIds, 0, 50);
            if (instanceIds != null) {
                for (int i = 0; i < instanceIds.size(); i++) {
                    v.required("instanceIds." + (i + 1) + ".member", instanceIds.get(i))
                            .pattern("instanceIds." + (i + 1) + ".member", instanceIds.get(i), INSTANCE_ID);
                }
            }
        }
    }

    record Empty() {}
}
