package dev.patchtide.server.windows;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.fleet.Tag;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Request and response shapes of the maintenance-window actions themselves, as in SSM's service model. */
final class WindowMessages {
    private WindowMessages() {}

    static final Pattern WINDOW_ID = Pattern.compile("^mw-[0-9a-f]{17}$");
    static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_\\-.]{3,128}$");
    static final Pattern UUID =
            Pattern.compile("^[0-9a-fA-F]{8}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{4}\\-[0-9a-fA-F]{12}$");
    static final Set<String> RESOURCE_TYPES = Set.of("INSTANCE", "RESOURCE_GROUP");

    static void validWindowId(Validation v, String windowId) {
        v.required("windowId", windowId).pattern("windowId", windowId, WINDOW_ID);
    }

    static void validUuid(Validation v, String field, String value) {
        v.required(field, value).pattern(field, value, UUID);
    }

    static void validPage(Validation v, Integer maxResults, List<Filter> filters) {
        v.range("maxResults", maxResults, 10, 100).size("filters", filters, 0, 5);
        if (filters != null) {
            for (int i = 0; i < filters.size(); i++) {
                Filter f = filters.get(i);
                v.required("filters." + (i + 1) + ".member.key", f.key())
                        .length("filters." + (i + 1) + ".member.key", f.key(), 1, 128);
            }
        }
    }

    record Filter(String key, List<String> values) {}

    record Target(String key, List<String> values) {}

    static void validTargets(Validation v, String field, List<Target> targets, int min) {
        v.size(field, targets, min, 5);
        if (targets == null) {
            return;
        }
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            String f = field + "." + (i + 1) + ".member";
            v.required(f + ".key", t.key()).length(f + ".key", t.key(), 1, 163);
            v.size(f + ".values", t.values(), 0, 50);
        }
    }

    record CreateMaintenanceWindowRequest(
            String name,
            String description,
            String startDate,
            String endDate,
            String schedule,
            String scheduleTimezone,
            Integer scheduleOffset,
            Integer duration,
            Integer cutoff,
            Boolean allowUnassociatedTargets,
            String clientToken,
            List<Tag> tags)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name).pattern("name", name, NAME);
            v.length("description", description, 1, 128);
            v.required("schedule", schedule).length("schedule", schedule, 1, 256);
            v.range("scheduleOffset", scheduleOffset, 1, 6);
            v.required("duration", duration).range("duration", duration, 1, 24);
            v.required("cutoff", cutoff).range("cutoff", cutoff, 0, 23);
            v.required("allowUnassociatedTargets", allowUnassociatedTargets);
            v.length("clientToken", clientToken, 1, 64);
            v.size("tags", tags, 0, 1000);
            Tag.validate(tags, "tags", v);
        }
    }

    record CreateMaintenanceWindowResult(String windowId) {}

    record WindowIdRequest(String windowId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validWindowId(v, windowId);
        }
    }

    record WindowIdResult(String windowId) {}

    record GetMaintenanceWindowResult(
            String windowId,
            String name,
            String description,
            String startDate,
            String endDate,
            String schedule,
            String scheduleTimezone,
            Integer scheduleOffset,
            String nextExecutionTime,
            Integer duration,
            Integer cutoff,
            Boolean allowUnassociatedTargets,
            Boolean enabled,
            java.time.Instant createdDate,
            java.time.Instant modifiedDate) {}

    record UpdateMaintenanceWindowRequest(
            String windowId,
            String name,
            String description,
            String startDate,
            String endDate,
            String schedule,
            String scheduleTimezone,
            Integer scheduleOffset,
            Integer duration,
            Integer cutoff,
            Boolean allowUnassociatedTargets,
            Boolean enabled,
            Boolean replace)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validWindowId(v, windowId);
            v.pattern("name", name, NAME);
            v.length("description", description, 1, 128);
            v.length("schedule", schedule, 1, 256);
            v.range("scheduleOffset", scheduleOffset, 1, 6);
            v.range("duration", duration, 1, 24);
            v.range("cutoff", cutoff, 0, 23);
        }
    }

    record UpdateMaintenanceWindowResult(
            String windowId,
            String name,
            String description,
            String startDate,
            String endDate,
            String schedule,
            String scheduleTimezone,
            Integer scheduleOffset,
            Integer duration,
            Integer cutoff,
            Boolean allowUnassociatedTargets,
            Boolean enabled) {}

    record DescribeMaintenanceWindowsRequest(List<Filter> filters, Integer maxResults, String nextToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            validPage(v, maxResults, filters);
        }
    }

    record MaintenanceWindowIdentity(
            String windowId,
            String name,
            String description,
            Boolean enabled,
            Integer duration,
            Integer cutoff,
            String schedule,
            String scheduleTimezone,
            Integer scheduleOffset,
            String endDate,
            String startDate,
            String nextExecutionTime) {}

    record DescribeMaintenanceWindowsResult(List<MaintenanceWindowIdentity> windowIdentities, String nextToken) {}

    record PatchOrchestratorFilter(String key, List<String> values) {}

    record DescribeMaintenanceWindowScheduleRequest(
            String windowId,
            List<Target> targets,
            String resourceType,
            List<PatchOrchestratorFilter> filters,
            Integer maxResults,
            String nextToken)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.pattern("windowId", windowId, WINDOW_ID);
            validTargets(v, "targets", targets, 0);
            v.oneOf("resourceType", resourceType, RESOURCE_TYPES);
            v.size("filters", filters, 0, 5);
            v.range("maxResults", maxResults, 1, Integer.MAX_VALUE);
        }
    }

    record ScheduledWindowExecution(String windowId, String name, String executionTime) {}

    record DescribeMaintenanceWindowScheduleResult(
            List<ScheduledWindowExecution> scheduledWindowExecutions, String nextToken) {}

    record DescribeMaintenanceWindowsForTargetRequest(
            List<Target> targets, String resourceType, Integer maxResults, String nextToken) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("targets", targets);
            validTargets(v, "targets", targets, 0);
            v.required("resourceType", resourceType).oneOf("resourceType", resourceType, RESOURCE_TYPES);
            v.range("maxResults", maxResults, 1, Integer.MAX_VALUE);
        }
    }

    record MaintenanceWindowIdentityForTarget(String windowId, String name) {}

    record DescribeMaintenanceWindowsForTargetResult(
            List<MaintenanceWindowIdentityForTarget> windowIdentities, String nextToken) {}
}
