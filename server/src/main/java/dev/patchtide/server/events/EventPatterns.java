package dev.patchtide.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiException;
import java.io.IOException;
import software.amazon.event.ruler.JsonRuleCompiler;
import software.amazon.event.ruler.Machine;

/** Event patterns, checked and matched by aws/event-ruler (the same engine AWS published for EventBridge). */
final class EventPatterns {
    private EventPatterns() {}

    /** Throws AWS's InvalidEventPatternException, with event-ruler's reason, when the pattern is not valid. */
    static void check(String pattern) {
        JsonNode parsed;
        try {
            parsed = EventEnvelope.JSON.readTree(pattern);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw invalid("Filter is not valid JSON: " + e.getOriginalMessage());
        }
        if (parsed == null || !parsed.isObject()) {
            throw invalid("Filter is not an object");
        }
        if (parsed.isEmpty()) {
            throw invalid("Empty event pattern is not allowed");
        }
        String problem = JsonRuleCompiler.check(pattern);
        if (problem != null) {
            throw invalid(problem);
        }
    }

    /** Adds a checked pattern to a machine under the given name. */
    static void add(Machine machine, String name, String pattern) {
        try {
            machine.addRule(name, pattern);
        } catch (IOException | RuntimeException e) {
            throw invalid(e.getMessage());
        }
    }

    static boolean matches(String pattern, String eventJson) {
        check(pattern);
        Machine machine = Machine.builder().build();
        add(machine, "test", pattern);
        return !Matching.rulesFor(machine, eventJson).isEmpty();
    }

    static ApiException invalid(String reason) {
        return new ApiException.Invalid(
                "InvalidEventPatternException", "Event pattern is not valid. Reason: " + reason);
    }
}
