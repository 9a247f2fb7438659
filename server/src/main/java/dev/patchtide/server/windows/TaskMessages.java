package dev.patchtide.server.windows;

import static dev.patchtide.server.windows.WindowMessages.NAME;
import static dev.patchtide.server.windows.WindowMessages.RESOURCE_TYPES;
import static dev.patchtide.server.windows.WindowMessages.validPage;
import static dev.patchtide.server.windows.WindowMessages.validTargets;
import static dev.patchtide.server.windows.WindowMessages.validUuid;
import static dev.patchtide.server.windows.WindowMessages.validWindowId;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.commands.CommandNotifications;
import dev.patchtide.server.commands.CommandSpec;
import dev.patchtide.server.windows.WindowMessages.Filter;
import dev.patchtide.server.windows.WindowMessages.Target;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Request and response shapes of window targets and tasks, as in SSM's service model. */
final class TaskMessages {
    private TaskMessages() {}

    static final Pattern MAX_CONCURRENCY = Pattern.compile("^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$");
    static final Pattern MAX_ERRORS = Pattern.compile("^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$");
    static final Set<String> TASK_TYPES = Set.of("RUN_COMMAND", "AUTOMATION", "STEP_FUNCTIONS", "LAMBDA");
    static final Set<String> CUTOFF_BEHAVIORS = Set.of("CONTINUE_TASK", "CANCEL_TASK");

    // --- targets

    record RegisterTargetWithMaintenanceWindowRequest(
            String windowId,
            String resourceType,
            List<Target> targets,
            String ownerInformation,
            String name,
            String description,
            String clientToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validWindowId(v, windowId);
            v.required("resourceType", resourceType).oneOf("resourceType", resourceType, RESOURCE_TYPES);
            v.required("targets", targets);
            validTargets(v, "targets", targets, 0);
            v.length("ownerInformation", ownerInformation, 1, 128);
            v.pattern("name", name, NAME);
            v.length("description", description, 1, 128);
            v.length("clientToken", clientToken, 1, 64);
        }
    }

    record RegisterTargetWithMaintenanceWindowResult(String windowTargetId) {}

    record UpdateMaintenanceWindowTargetRequest(
            String windowId,
            String windowTargetId,
            List<Target> targets,
            String ownerInformation,
            String name,
            String description,
            Boolean replace)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validWindowId(v, windowId);
            validUuid(v, "windowTargetId", windowTargetId);
            validTargets(v, "targets", targets, 0);
            v.length("ownerInformation", ownerInformation, 1, 128);
            v.pattern("name", name, NAME);
            v.length("description", description, 1, 128);
        }
    }

    /** A window target as DescribeMaintenanceWindowTargets lists it; also what the store keeps. */
    record MaintenanceWindowTarget(
            String windowId,
            String windowTargetId,
            String resourceType,
            List<Target> targets,
            String ownerInformation,
            String name,
            String description) {}

    record UpdateMaintenanceWindowTargetResult(
            String windowId,
            String windowTargetId,
            List<Target> targets,
            String ownerInformation,
            String name,
            String description) {}

    record DeregisterTargetFromMaintenanceWindowRequest(String windowId, String windowTargetId, Boolean safe)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validWindowId(v, windowId);
            validUuid(v, "windowTargetId", windowTargetId);
        }
    }

    record DeregisterTargetFromMaintenanceWindowResult(String windowId, String windowTargetId) {}

    record DescribeRequest(String windowId, List<Filter> filters, Integer maxResults, String nextToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validWindowId(v, windowId);
            validPage(v, maxResults, filters);
        }
    }

    record DescribeMaintenanceWindowTargetsResult(List<MaintenanceWindowTarget> targets, String nextToken) {}

    // --- tasks

    record NotificationConfig(String notificationArn, List<String> notificationEvents, String notificationType) {
        /** As the commands feature takes it: no events listed means every event. */
        CommandSpec.NotificationConfig toSpec() {
            return new CommandSpec.NotificationConfig(
                    notificationArn, notificationEvents == null ? List.of() : notificationEvents, notificationType);
        }
    }

    record CloudWatchOutputConfig(String cloudWatchLogGroupName, Boolean cloudWatchOutputEnabled) {}

    record RunCommand(
            String comment,
            CloudWatchOutputConfig cloudWatchOutputConfig,
            String documentHash,
            String documentHashType,
            String documentVersion,
            NotificationConfig notificationConfig,
            String outputS3BucketName,
            String outputS3KeyPrefix,
            Map<String, List<String>> parameters,
            String serviceRoleArn,
            Integer timeoutSeconds) {}

    record Automation(String documentVersion, Map<String, List<String>> parameters) {}

    record StepFunctions(String input, String name) {}

    record Lambda(String clientContext, String qualifier, String payload) {}

    record TaskInvocationParameters(
            RunCommand runCommand, Automation automation, StepFunctions stepFunctions, Lambda lambda) {}

    record LoggingInfo(String s3BucketName, String s3KeyPrefix, String s3Region) {}

    record Alarm(String name) {}

    record AlarmConfiguration(Boolean ignorePollAlarmFailure, List<Alarm> alarms) {}

    record ParameterValue(List<String> values) {}

    /** A task as registered: what the store keeps (as JSON) and GetMaintenanceWindowTask answers. */
    record TaskDefinition(
            List<Target> targets,
            String taskArn,
            String serviceRoleArn,
            String taskType,
            Map<String, ParameterValue> taskParameters,
            TaskInvocationParameters taskInvocationParameters,
            Integer priority,
            String maxConcurrency,
            String maxErrors,
            LoggingInfo loggingInfo,
            String name,
            String description,
            String cutoffBehavior,
            AlarmConfiguration alarmConfiguration) {}

    record RegisterTaskWithMaintenanceWindowRequest(
            String windowId,
            List<Target> targets,
            String taskArn,
            String serviceRoleArn,
            String taskType,
            Map<String, ParameterValue> taskParameters,
            TaskInvocationParameters taskInvocationParameters,
            Integer priority,
            String maxConcurrency,
            String maxErrors,
            LoggingInfo loggingInfo,
            String name,
            String description,
            String clientToken,
            String cutoffBehavior,
            AlarmConfiguration alarmConfiguration)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validWindowId(v, windowId);
            validTargets(v, "targets", targets, 0);
            v.required("taskArn", taskArn).length("taskArn", taskArn, 1, 1600);
            v.required("taskType", taskType).oneOf("taskType", taskType, TASK_TYPES);
            v.range("priority", priority, 0, Integer.MAX_VALUE);
            common(v, maxConcurrency, maxErrors, name, description, cutoffBehavior, taskInvocationParameters);
            v.length("clientToken", clientToken, 1, 64);
        }

        TaskDefinition definition() {
            return new TaskDefinition(
                    targets == null ? List.of() : targets,
                    taskArn,
                    serviceRoleArn,
                    taskType,
                    taskParameters,
                    taskInvocationParameters,
                    priority == null ? 1 : priority,
                    maxConcurrency,
                    maxErrors,
                    loggingInfo,
                    name,
                    description,
                    cutoffBehavior == null ? "CONTINUE_TASK" : cutoffBehavior,
                    alarmConfiguration);
        }
    }

    static void common(
            Validation v,
            String maxConcurrency,
            String maxErrors,
            String name,
            String description,
            String cutoffBehavior,
            TaskInvocationParameters invocation) {
        v.length("maxConcurrency", maxConcurrency, 1, 7).pattern("maxConcurrency", maxConcurrency, MAX_CONCURRENCY);
        v.length("maxErrors", maxErrors, 1, 7).pattern("maxErrors", maxErrors, MAX_ERRORS);
        v.pattern("name", name, NAME);
        v.length("description", description, 1, 128);
        v.oneOf("cutoffBehavior", cutoffBehavior, CUTOFF_BEHAVIORS);
        if (invocation != null && invocation.runCommand() != null) {
            RunCommand rc = invocation.runCommand();
            String at = "taskInvocationParameters.runCommand";
            v.length(at + ".comment", rc.comment(), 0, 100);
            v.range(at + ".timeoutSeconds", rc.timeoutSeconds(), 30, 2592000);
            v.pattern(
                    at + ".documentVersion",
                    rc.documentVersion(),
                    Pattern.compile("([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)"));
            if (rc.notificationConfig() != null) {
                CommandNotifications.validate(rc.notificationConfig().toSpec(), at + ".notificationConfig", v);
            }
        }
    }

    record RegisterTaskWithMaintenanceWindowResult(String windowTaskId) {}

    record UpdateMaintenanceWindowTaskRequest(
            String windowId,
            String windowTaskId,
            List<Target> targets,
            String taskArn,
            String serviceRoleArn,
            Map<String, ParameterValue> taskParameters,
            TaskInvocationParameters taskInvocationParameters,
            Integer priority,
            String maxConcurrency,
            String maxErrors,
            LoggingInfo loggingInfo,
            String name,
            String description,
            Boolean replace,
            String cutoffBehavior,
            AlarmConfiguration alarmConfiguration)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validWindowId(v, windowId);
            validUuid(v, "windowTaskId", windowTaskId);
            validTargets(v, "targets", targets, 0);
            v.length("taskArn", taskArn, 1, 1600);
            v.range("priority", priority, 0, Integer.MAX_VALUE);
            common(v, maxConcurrency, maxErrors, name, description, cutoffBehavior, taskInvocationParameters);
        }
    }

    record WindowTaskRequest(String windowId, String windowTaskId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validWindowId(v, windowId);
            validUuid(v, "windowTaskId", windowTaskId);
        }
    }

    record WindowTaskResult(String windowId, String windowTaskId) {}

    /** GetMaintenanceWindowTask and UpdateMaintenanceWindowTask's answer. */
    record MaintenanceWindowTaskDetail(
            String windowId,
            String windowTaskId,
            List<Target> targets,
            String taskArn,
            String serviceRoleArn,
            String taskType,
            Map<String, ParameterValue> taskParameters,
            TaskInvocationParameters taskInvocationParameters,
            Integer priority,
            String maxConcurrency,
            String maxErrors,
            LoggingInfo loggingInfo,
            String name,
            String description,
            String cutoffBehavior,
            AlarmConfiguration alarmConfiguration) {
        static MaintenanceWindowTaskDetail of(String windowId, String windowTaskId, TaskDefinition d) {
            return new MaintenanceWindowTaskDetail(
                    windowId,
                    windowTaskId,
                    d.targets(),
                    d.taskArn(),
                    d.serviceRoleArn(),
                    d.taskType(),
                    d.taskParameters(),
                    d.taskInvocationParameters(),
                    d.priority(),
                    d.maxConcurrency(),
                    d.maxErrors(),
                    d.loggingInfo(),
                    d.name(),
                    d.description(),
                    d.cutoffBehavior(),
                    d.alarmConfiguration());
        }
    }

    /** DescribeMaintenanceWindowTasks' item: the detail without TaskInvocationParameters, with Type. */
    record MaintenanceWindowTask(
            String windowId,
            String windowTaskId,
            String taskArn,
            String type,
            List<Target> targets,
            Map<String, ParameterValue> taskParameters,
            Integer priority,
            LoggingInfo loggingInfo,
            String serviceRoleArn,
            String maxConcurrency,
            String maxErrors,
            String name,
            String description,
            String cutoffBehavior,
            AlarmConfiguration alarmConfiguration) {
        static MaintenanceWindowTask of(String windowId, String windowTaskId, TaskDefinition d) {
            return new MaintenanceWindowTask(
                    windowId,
                    windowTaskId,
                    d.taskArn(),
                    d.taskType(),
                    d.targets(),
                    d.taskParameters(),
                    d.priority(),
                    d.loggingInfo(),
                    d.serviceRoleArn(),
                    d.maxConcurrency(),
                    d.maxErrors(),
                    d.name(),
                    d.description(),
                    d.cutoffBehavior(),
                    d.alarmConfiguration());
        }
    }

    record DescribeMaintenanceWindowTasksResult(List<MaintenanceWindowTask> tasks, String nextToken) {}
}
