package dev.patchtide.workflow.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Retry and Catch entries, with the specification's retry defaults filled in. */
final class HandlerReader {
    static final int DEFAULT_INTERVAL = 1;
    static final int DEFAULT_ATTEMPTS = 3;
    static final double DEFAULT_BACKOFF = 2.0;

    private HandlerReader() {}

    static List<Retrier> retriers(JsonNode state) {
        var out = new ArrayList<Retrier>();
        for (JsonNode r : state.path("Retry")) {
            out.add(new Retrier(
                    names(r),
                    r.path("IntervalSeconds").asInt(DEFAULT_INTERVAL),
                    r.path("MaxAttempts").asInt(DEFAULT_ATTEMPTS),
                    r.path("BackoffRate").asDouble(DEFAULT_BACKOFF),
                    r.has("MaxDelaySeconds")
                            ? Optional.of(r.get("MaxDelaySeconds").asInt())
                            : Optional.empty(),
                    r.path("JitterStrategy").asText("NONE").equals("FULL")
                            ? Retrier.Jitter.FULL
                            : Retrier.Jitter.NONE));
        }
        return List.copyOf(out);
    }

    static List<Catcher> catchers(JsonNode state) {
        var out = new ArrayList<Catcher>();
        for (JsonNode c : state.path("Catch")) {
            out.add(new Catcher(
                    names(c),
                    c.get("Next").asText(),
                    DataFlowReader.path(c, "ResultPath"),
                    c.get("Output"),
                    c.get("Assign")));
        }
        return List.copyOf(out);
    }

    private static List<String> names(JsonNode entry) {
        var out = new ArrayList<String>();
        entry.get("ErrorEquals").forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }
}
