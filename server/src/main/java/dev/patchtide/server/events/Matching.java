package dev.patchtide.server.events;

import java.util.List;
import software.amazon.event.ruler.Machine;

/** The one call into event-ruler's matcher, with its checked exception turned into ours. */
final class Matching {
    private Matching() {}

    static List<String> rulesFor(Machine machine, String eventJson) {
        try {
            // rulesForJSONEvent honours array consistency (each element of an array of objects is matched
            // on its own), as EventBridge does.
            return machine.rulesForJSONEvent(eventJson);
        } catch (Exception e) {
            throw new IllegalArgumentException("event is not valid JSON: " + e.getMessage(), e);
        }
    }
}
