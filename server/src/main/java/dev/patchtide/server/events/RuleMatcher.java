package dev.patchtide.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import software.amazon.event.ruler.Machine;

/**
 * A compiled set of named event patterns: one event-ruler {@link Machine}, built once and then only read
 * (matching does not lock), so it can serve every request thread. Public for the matching benchmark.
 */
public final class RuleMatcher {
    private final Machine machine =
            Machine.builder().withAdditionalNameStateReuse(true).build();
    /** No pattern at all: nothing can match, and an event need not be flattened to learn so. */
    private boolean empty = true;

    /** Compiles the patterns, by name; throws InvalidEventPatternException naming the reason for a bad one. */
    public static RuleMatcher of(Map<String, String> patternsByName) {
        RuleMatcher matcher = new RuleMatcher();
        patternsByName.forEach((name, pattern) -> EventPatterns.add(matcher.machine, name, pattern));
        matcher.empty = patternsByName.isEmpty();
        return matcher;
    }

    /** Whether there is no pattern at all (nothing can match). */
    boolean isEmpty() {
        return empty;
    }

    /** The names of the patterns the event (envelope JSON) matches. */
    public List<String> match(String eventJson) {
        return empty ? List.of() : Matching.rulesFor(machine, eventJson);
    }

    /** The same for an envelope already parsed, as the server holds it (saves parsing it again). */
    public List<String> match(JsonNode event) {
        return empty ? List.of() : machine.rulesForJSONEvent(event);
    }
}
