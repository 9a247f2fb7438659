package dev.patchtide.server.events;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Shapes of the archive and replay actions, as in EventBridge's service model. */
final class ArchiveMessages {
    private ArchiveMessages() {}

    static final Pattern NAME = Pattern.compile("[\\.\\-_A-Za-z0-9]+");
    static final Pattern RESOURCE_ARN =
            Pattern.compile("^arn:aws([a-z]|\\-)*:events:([a-z]|\\d|\\-)*:([0-9]{12})?:.+\\/.+$");
    static final Set<String> ARCHIVE_STATES =
            Set.of("ENABLED", "DISABLED", "CREATING", "UPDATING", "CREATE_FAILED", "UPDATE_FAILED");
    static final Set<String> REPLAY_STATES =
            Set.of("STARTING", "RUNNING", "CANCELLING", "COMPLETED", "CANCELLED", "FAILED");

    static void checkArchiveName(Validation v, String field, String name, boolean required) {
        if (required) {
            v.required(field, name);
        }
        v.length(field, name, 1, 48).pattern(field, name, NAME);
    }

    static void checkReplayName(Validation v, String field, String name, boolean required) {
        if (required) {
            v.required(field, name);
        }
        v.length(field, name, 1, 64).pattern(field, name, NAME);
    }

    record CreateArchiveRequest(
            String archiveName,
            String eventSourceArn,
            String description,
            String eventPattern,
            Integer retentionDays,
            String kmsKeyIdentifier)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            checkArchiveName(v, "archiveName", archiveName, true);
            v.required("eventSourceArn", eventSourceArn)
                    .length("eventSourceArn", eventSourceArn, 1, 1600)
                    .pattern("eventSourceArn", eventSourceArn, RESOURCE_ARN)
                    .length("description", description, 0, 512)
                    .length("eventPattern", eventPattern, 0, 4096)
                    .range("retentionDays", retentionDays, 0, Integer.MAX_VALUE)
                    .length("kmsKeyIdentifier", kmsKeyIdentifier, 0, 2048);
        }
    }

    record ArchiveStateResponse(String archiveArn, String state, String stateReason, Instant creationTime) {}

    record ArchiveNameRequest(String archiveName) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            checkArchiveName(v, "archiveName", archiveName, true);
        }
    }

    record DescribeArchiveResponse(
            String archiveArn,
            String archiveName,
            String eventSourceArn,
            String description,
            String eventPattern,
            String state,
            String stateReason,
            String kmsKeyIdentifier,
            Integer retentionDays,
            Long sizeBytes,
            Long eventCount,
            Instant creationTime) {}

    record ListArchivesRequest(String namePrefix, String eventSourceArn, String state, String nextToken, Integer limit)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            checkArchiveName(v, "namePrefix", namePrefix, false);
            v.length("eventSourceArn", eventSourceArn, 1, 1600)
                    .pattern("eventSourceArn", eventSourceArn, RESOURCE_ARN)
                    .oneOf("state", state, ARCHIVE_STATES)
                    .length("nextToken", nextToken, 1, 2048)
                    .range("limit", limit, 1, 100);
        }
    }

    record Archive(
            String archiveName,
            String eventSourceArn,
            String state,
            String stateReason,
            Integer retentionDays,
            Long sizeBytes,
            Long eventCount,
            Instant creationTime) {}

    record ListArchivesResponse(List<Archive> archives, String nextToken) {}

    record UpdateArchiveRequest(
            String archiveName, String description, String eventPattern, Integer retentionDays, String kmsKeyIdentifier)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            checkArchiveName(v, "archiveName", archiveName, true);
            v.length("description", description, 0, 512)
                    .length("eventPattern", eventPattern, 0, 4096)
                    .range("retentionDays", retentionDays, 0, Integer.MAX_VALUE)
                    .length("kmsKeyIdentifier", kmsKeyIdentifier, 0, 2048);
        }
    }

    record ReplayDestination(String arn, List<String> filterArns) {}

    record StartReplayRequest(
            String replayName,
            String description,
            String eventSourceArn,
            Instant eventStartTime,
            Instant eventEndTime,
            ReplayDestination destination)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            checkReplayName(v, "replayName", replayName, true);
            v.length("description", description, 0, 512)
                    .required("eventSourceArn", eventSourceArn)
                    .length("eventSourceArn", eventSourceArn, 1, 1600)
                    .pattern("eventSourceArn", eventSourceArn, RESOURCE_ARN)
                    .required("eventStartTime", eventStartTime)
                    .required("eventEndTime", eventEndTime)
                    .required("destination", destination);
            if (destination != null) {
                v.required("destination.arn", destination.arn()).length("destination.arn", destination.arn(), 1, 1600);
            }
        }
    }

    record StartReplayResponse(String replayArn, String state, String stateReason, Instant replayStartTime) {}

    record ReplayNameRequest(String replayName) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            checkReplayName(v, "replayName", replayName, true);
        }
    }

    record DescribeReplayResponse(
            String replayName,
            String replayArn,
            String description,
            String state,
            String stateReason,
            String eventSourceArn,
            ReplayDestination destination,
            Instant eventStartTime,
            Instant eventEndTime,
            Instant eventLastReplayedTime,
            Instant replayStartTime,
            Instant replayEndTime) {}

    record ListReplaysRequest(String namePrefix, String state, String eventSourceArn, String nextToken, Integer limit)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            checkReplayName(v, "namePrefix", namePrefix, false);
            v.oneOf("state", state, REPLAY_STATES)
                    .length("eventSourceArn", eventSourceArn, 1, 1600)
                    .length("nextToken", nextToken, 1, 2048)
                    .range("limit", limit, 1, 100);
        }
    }

    record Replay(
            String replayName,
            String eventSourceArn,
            String state,
            String stateReason,
            Instant eventStartTime,
            Instant eventEndTime,
            Instant eventLastReplayedTime,
            Instant replayStartTime,
            Instant replayEndTime) {}

    record ListReplaysResponse(List<Replay> replays, String nextToken) {}

    record CancelReplayResponse(String replayArn, String state, String stateReason) {}
}
