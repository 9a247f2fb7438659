package dev.patchtide.server.workflows;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;

/** Shapes of the execution and task-token actions, as in Step Functions' service model (lowerCamelCase). */
final class ExecutionMessages {
    private ExecutionMessages() {}

    /** Inputs and outputs of executions and tasks: 256 KiB, as AWS. */
    static final int DATA_MAX = 262_144;

    static final List<String> STATUSES =
            List.of("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE");

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record StartExecutionRequest(
            String stateMachineArn, String name, String input, String traceHeader, String includedData)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("stateMachineArn", stateMachineArn)
                    .length("stateMachineArn", stateMachineArn, 1, MachineMessages.ARN_MAX)
                    .length("name", name, 1, 80)
                    .length("input", input, 0, DATA_MAX)
                    .length("traceHeader", traceHeader, 0, 256)
                    .oneOf("includedData", includedData, List.of("ALL_DATA", "METADATA_ONLY"));
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record StartExecutionResponse(String executionArn, Instant startDate) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StartSyncExecutionResponse(
            String executionArn,
            String stateMachineArn,
            String name,
            Instant startDate,
            Instant stopDate,
            String status,
            String error,
            String cause,
            String input,
            DataDetails inputDetails,
            String output,
            DataDetails outputDetails,
            BillingDetails billingDetails) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record BillingDetails(long billedMemoryUsedInMB, long billedDurationInMilliseconds) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record DataDetails(boolean included) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ExecutionArnRequest(String executionArn, String includedData) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("executionArn", executionArn)
                    .length("executionArn", executionArn, 1, MachineMessages.ARN_MAX)
                    .oneOf("includedData", includedData, List.of("ALL_DATA", "METADATA_ONLY"));
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DescribeExecutionResponse(
            String executionArn,
            String stateMachineArn,
            String name,
            String status,
            Instant startDate,
            Instant stopDate,
            String input,
            DataDetails inputDetails,
            String output,
            DataDetails outputDetails,
            String error,
            String cause,
            String stateMachineVersionArn,
            Integer redriveCount,
            String redriveStatus,
            String redriveStatusReason) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ListExecutionsRequest(
            String stateMachineArn,
            String statusFilter,
            Integer maxResults,
            String nextToken,
            String mapRunArn,
            String redriveFilter)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.length("stateMachineArn", stateMachineArn, 1, MachineMessages.ARN_MAX)
                    .oneOf("statusFilter", statusFilter, STATUSES)
                    .range("maxResults", maxResults, 0, 1000)
                    .length("nextToken", nextToken, 1, 3096)
                    .oneOf("redriveFilter", redriveFilter, List.of("REDRIVEN", "NOT_REDRIVEN"));
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ExecutionListItem(
            String executionArn,
            String stateMachineArn,
            String name,
            String status,
            Instant startDate,
            Instant stopDate,
            String stateMachineVersionArn,
            Integer redriveCount) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record ListExecutionsResponse(List<ExecutionListItem> executions, String nextToken) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record GetExecutionHistoryRequest(
            String executionArn,
            Integer maxResults,
            Boolean reverseOrder,
            String nextToken,
            Boolean includeExecutionData)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("executionArn", executionArn)
                    .length("executionArn", executionArn, 1, MachineMessages.ARN_MAX)
                    .range("maxResults", maxResults, 0, 1000)
                    .length("nextToken", nextToken, 1, 1024);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record StopExecutionRequest(String executionArn, String error, String cause) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("executionArn", executionArn)
                    .length("executionArn", executionArn, 1, MachineMessages.ARN_MAX)
                    .length("error", error, 0, 256)
                    .length("cause", cause, 0, 32_768);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record StopExecutionResponse(Instant stopDate) {}

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record SendTaskSuccessRequest(String taskToken, String output) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("taskToken", taskToken)
                    .length("taskToken", taskToken, 1, 2048)
                    .required("output", output)
                    .length("output", output, 0, DATA_MAX);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record SendTaskFailureRequest(String taskToken, String error, String cause) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("taskToken", taskToken)
                    .length("taskToken", taskToken, 1, 2048)
                    .length("error", error, 0, 256)
                    .length("cause", cause, 0, 32_768);
        }
    }

    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    record SendTaskHeartbeatRequest(String taskToken) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("taskToken", taskToken).length("taskToken", taskToken, 1, 2048);
        }
    }
}
