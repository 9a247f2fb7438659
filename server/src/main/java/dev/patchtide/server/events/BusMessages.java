package dev.patchtide.server.events;

import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.fleet.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Shapes of the event-bus actions and PutEvents, as in EventBridge's service model (events/2015-10-07). */
final class BusMessages {
    private BusMessages() {}

    static final Pattern BUS_NAME = Pattern.compile("[/\\.\\-_A-Za-z0-9]+");
    static final Pattern BUS_NAME_OR_ARN = Pattern.compile(
            "(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+");
    static final Pattern NON_PARTNER_BUS =
            Pattern.compile("(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[\\.\\-_A-Za-z0-9]+");
    static final Pattern KMS_KEY = Pattern.compile("^[a-zA-Z0-9_\\-/:]*$");

    record DeadLetterConfig(String arn) {
        void validate(Validation v, String at) {
            v.length(at + ".arn", arn, 1, 1600);
        }
    }

    record LogConfig(String includeDetail, String level) {
        void validate(Validation v, String at) {
            v.oneOf(at + ".includeDetail", includeDetail, Set.of("NONE", "FULL"))
                    .oneOf(at + ".level", level, Set.of("OFF", "ERROR", "INFO", "TRACE"));
        }
    }

    static void validateTags(List<Tag> tags, Validation v) {
        if (tags == null) {
            return;
        }
        for (int i = 0; i < tags.size(); i++) {
            Tag tag = tags.get(i);
            String at = "tags." + (i + 1) + ".member";
            v.required(at, tag);
            if (tag != null) {
                v.required(at + ".key", tag.key())
                        .length(at + ".key", tag.key(), 1, 128)
                        .required(at + ".value", tag.value())
                        .length(at + ".value", tag.value(), 0, 256);
                Tag.checkNotReserved(at + ".key", tag.key(), v);
            }
        }
    }

    record CreateEventBusRequest(
            String name,
            String eventSourceName,
            String description,
            String kmsKeyIdentifier,
            DeadLetterConfig deadLetterConfig,
            LogConfig logConfig,
            List<Tag> tags)
            implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name)
                    .length("name", name, 1, 256)
                    .pattern("name", name, BUS_NAME)
                    .length("eventSourceName", eventSourceName, 1, 256)
                    .length("description", description, 0, 512)
                    .length("kmsKeyIdentifier", kmsKeyIdentifier, 0, 2048)
                    .pattern("kmsKeyIdentifier", kmsKeyIdentifier, KMS_KEY);
            if (deadLetterConfig != null) {
                deadLetterConfig.validate(v, "deadLetterConfig");
            }
            if (logConfig != null) {
                logConfig.validate(v, "logConfig");
            }
            validateTags(tags, v);
        }
    }

    record CreateEventBusResponse(
            String eventBusArn,
            String description,
            String kmsKeyIdentifier,
            DeadLetterConfig deadLetterConfig,
            LogConfig logConfig) {}

    record DeleteEventBusRequest(String name) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("name", name).length("name", name, 1, 256).pattern("name", name, BUS_NAME);
        }
    }

    record DescribeEventBusRequest(String name) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.length("name", name, 1, 1600).pattern("name", name, BUS_NAME_OR_ARN);
        }
    }

    record DescribeEventBusResponse(
            String name,
            String arn,
            String description,
            String kmsKeyIdentifier,
            DeadLetterConfig deadLetterConfig,
            String policy,
            LogConfig logConfig,
            Instant creationTime,
            Instant lastModifiedTime) {}

    record ListEventBusesRequest(String namePrefix, String nextToken, Integer limit) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.length("namePrefix", namePrefix, 1, 256)
                    .pattern("namePrefix", namePrefix, BUS_NAME)
                    .length("nextToken", nextToken, 1, 2048)
                    .range("limit", limit, 1, 100);
        }
    }

    record EventBus(
            String name,
            String arn,
            String description,
            String policy,
            Instant creationTime,
            Instant lastModifiedTime) {}

    record ListEventBusesResponse(List<EventBus> eventBuses, String nextToken) {}

    record PutEventsRequestEntry(
            Instant time,
            String source,
            List<String> resources,
            String detailType,
            String detail,
            String eventBusName,
            String traceHeader) {}

    record PutEventsRequest(List<PutEventsRequestEntry> entries, String endpointId) implements ApiRequest {
        @Override
        public void validate(Validation v) {
            v.required("entries", entries).size("entries", entries, 1, 10);
            if (entries != null) {
                for (int i = 0; i < entries.size(); i++) {
                    String at = "entries." + (i + 1) + ".member";
                    PutEventsRequestEntry e = entries.get(i);
                    v.required(at, e);
                    if (e == null) {
                        continue;
                    }
                    v.length(at + ".eventBusName", e.eventBusName(), 1, 1600)
                            .pattern(at + ".eventBusName", e.eventBusName(), NON_PARTNER_BUS)
                            .length(at + ".traceHeader", e.traceHeader(), 1, 500);
                    if (e.resources() != null) {
                        for (int r = 0; r < e.resources().size(); r++) {
                            v.length(
                                    at + ".resources." + (r + 1) + ".member",
                                    e.resources().get(r),
                                    0,
                                    2048);
                        }
                    }
                }
            }
            v.length("endpointId", endpointId, 1, 50);
        }
    }

    record PutEventsResultEntry(String eventId, String errorCode, String errorMessage) {}

    record PutEventsResponse(int failedEntryCount, List<PutEventsResultEntry> entries) {}

    record Empty() {}
}
