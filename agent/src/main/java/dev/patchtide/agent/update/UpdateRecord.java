package dev.patchtide.agent.update;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.JsonCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The upgrade under way, written before the install starts: the agent that starts next (the new version, or the
 * old one if the install was stopped) knows what the resumed step was to reach. Written and read with jackson-core
 * alone (the daemon keeps databind out), the same bytes the agent's mapper wrote: {@code
 * {"CommandId":…,"From":…,"To":…}}, null members left out.
 */
record UpdateRecord(String commandId, String from, String to) {

    static UpdateRecord of(String commandId, String from, String to) {
        return new UpdateRecord(commandId, from, to);
    }

    byte[] bytes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("CommandId", commandId);
        m.put("From", from);
        m.put("To", to);
        return JsonCodec.write(m);
    }

    static Optional<UpdateRecord> read(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) > 4096) {
            return Optional.empty();
        }
        JsonNode json = JsonCodec.readTree(Files.readAllBytes(file));
        if (!json.isObject()) {
            throw new IOException("not a JSON object");
        }
        return Optional.of(new UpdateRecord(text(json, "CommandId"), text(json, "From"), text(json, "To")));
    }

    /** As the mapper took a text member: absent or null is null, a number or flag its text. */
    private static String text(JsonNode json, String name) throws IOException {
        JsonNode v = json.path(name);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new IOException(name + ": not a text");
        }
        return v.asText();
    }
}
