package dev.patchtide.server.notify;

import java.time.Instant;
import java.util.Map;

/** A topic: its ARN and name, and its settable attributes (DisplayName). */
record Topic(String arn, String name, Map<String, String> attributes, Instant createdAt) {
    Topic {
        attributes = Map.copyOf(attributes);
    }

    String displayName() {
        return attributes.getOrDefault("DisplayName", "");
    }
}
