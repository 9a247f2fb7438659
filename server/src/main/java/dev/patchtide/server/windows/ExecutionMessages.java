package dev.patchtide.server.windows;

import static dev.patchtide.server.windows.WindowMessages.validPage;
import static dev.patchtide.server.windows.WindowMessages.validUuid;
import static dev.patchtide.server.windows.WindowMessages.validWindowId;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.windows.TaskMessages.AlarmConfiguration;
import dev.patchtide.server.windows.TaskMessages.ParameterValue;
import dev.patchtide.server.windows.WindowMessages.Filter;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Request and response shapes of window executions, their tasks and invocations, as in SSM's model. */
final class ExecutionMessages {
    private ExecutionMessages() {}

    record DescribeMaintenanceWindowExecutionsRequest(
            String windowId, List<Filter> filters, Integer maxResults, String nextToken) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validWindowId(v, windowId);
            validPage(v, maxResults, filters);
        }
    }

    record MaintenanceWindowExecution(
            String windowId,
            String windowExecutionId,
            String status,
            String statusDetails,
            Instant startTime,
            Instant endTime) {}

    record DescribeMaintenanceWindowExecutionsResult(
            List<MaintenanceWindowExecution> windowExecutions, String nextToken) {}

    record ExecutionRequest(String windowExecutionId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validUuid(v, "windowExecutionId", windowExecutionId);
        }
    }

    record GetMaintenanceWindowExecutionResult(
            String windowExecutionId,
            List<String> taskIds,
            String status,
            String statusDetails,
            Instant startTime,
            Instant endTime) {}

    record CancelMaintenanceWindowExecutionResult(String windowExecutionId) {}

    record DescribeMaintenanceWindowExecutionTasksRequest(
            String windowExecutionId, List<Filter> filters, Integer maxResults, String nextToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validUuid(v, "windowExecutionId", windowExecutionId);
            validPage(v, maxResults, filters);
        }
    }

    record MaintenanceWindowExecutionTaskIdentity(
            String windowExecutionId,
            String taskExecutionId,
            String status,
            String statusDetails,
            Instant startTime,
            Instant endTime,
            String taskArn,
            String taskType,
            AlarmConfiguration alarmConfiguration) {}

    record DescribeMaintenanceWindowExecutionTasksResult(
            List<MaintenanceWindowExecutionTaskIdentity> windowExecutionTaskIdentities, String nextToken) {}

    record ExecutionTaskRequest(String windowExecutionId, String taskId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validUuid(v, "windowExecutionId", windowExecutionId);
            validUuid(v, "taskId", taskId);
        }
    }

    record GetMaintenanceWindowExecutionTaskResult(
            String windowExecutionId,
            String taskExecutionId,
            String taskArn,
            String serviceRole,
            String type,
            List<Map<String, ParameterValue>> taskParameters,
            Integer priority,
            String maxConcurrency,
            String maxErrors,
            String status,
            String statusDetails,
            Instant startTime,
            Instant endTime,
            AlarmConfiguration alarmConfiguration) {}

    record DescribeMaintenanceWindowExecutionTaskInvocationsRequest(
            String windowExecutionId, String taskId, List<Filter> filters, Integer maxResults, String nextToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validUuid(v, "windowExecutionId", windowExecutionId);
            validUuid(v, "taskId", taskId);
            validPage(v, maxResults, filters);
        }
    }

    record InvocationRequest(String windowExecutionId, String taskId, String invocationId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validUuid(v, "windowExecutionId", windowExecutionId);
            validUuid(v, "taskId", taskId);
            validUuid(v, "invocationId", invocationId);
        }
    }

    /** An invocation, as both Describe…TaskInvocations and Get…TaskInvocation answer it. */
    record MaintenanceWindowExecutionTaskInvocationIdentity(
            String windowExecutionId,
            String taskExecutionId,
            String invocationId,
            String executionId,
            String taskType,
            String parameters,
            String status,
            String statusDetails,
            Instant startTime,
            Instant endTime,
            String ownerInformation,
            String windowTargetId) {}

    record DescribeMaintenanceWindowExecutionTaskInvocationsResult(
            List<MaintenanceWindowExecutionTaskInvocationIdentity> windowExecutionTaskInvocationIdentities,
            String nextToken) {}
}
