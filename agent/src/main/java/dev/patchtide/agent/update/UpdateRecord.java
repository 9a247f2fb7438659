package dev.patchtide.agent.update;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.patchtide.agent.AgentJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The upgrade under way, written before the install starts: the agent that starts next (the new version, or the
 * old one if the install was stopped) knows what the resumed step was to reach.
 */
record UpdateRecord(
        @JsonProperty("CommandId") String commandId, @JsonProperty("From") String from, @JsonProperty("To") String to) {

    static UpdateRecord of(String commandId, String from, String to) {
        return new UpdateRecord(commandId, from, to);
    }

    byte[] bytes() throws IOException {
        return AgentJson.mapper().writeValueAsBytes(this);
    }

    static Optional<UpdateRecord> read(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) > 4096) {
            return Optional.empty();
        }
        return Optional.of(AgentJson.mapper().readValue(file.toFile(), UpdateRecord.class));
    }
}
