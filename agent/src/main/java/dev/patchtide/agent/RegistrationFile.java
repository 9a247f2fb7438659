package dev.patchtide.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's registration on disk: {@code registration.json} in the agent's state directory, readable
 * by its owner only (0600, directory 0700) since it holds the instance's secret key. Written to a temp
 * file and renamed, so a crash never leaves half a file.
 */
public final class RegistrationFile {
    public static final String FILE_NAME = "registration.json";

    private final Path file;
    /** Its members; a registration file is written by this code only, so anything else means it is not one. */
    private static final Set<String> MEMBERS = Set.of(
            "serverUrl",
            "region",
            "instanceId",
            "accessKeyId",
            "secretAccessKey",
            "heartbeatIntervalSeconds",
            "registeredAt");

    public RegistrationFile(Path stateDir) {
        this.file = stateDir.resolve(FILE_NAME);
    }

    public Path path() {
        return file;
    }

    /** The directory the agent keeps its state in (this file and what else the agent remembers). */
    public Path stateDir() {
        return file.getParent();
    }

    public Optional<Registration> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(JsonCodec.readTree(Files.readAllBytes(file))));
        } catch (IOException | DateTimeParseException e) {
            throw new IOException("cannot read the agent registration " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Read by hand, not by the mapper: the daemon reads this file at every start and needs no databind for
     * anything else it does while idle.
     */
    private static Registration parse(JsonNode json) throws IOException {
        if (!json.isObject()) {
            throw new IOException("not a JSON object");
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!MEMBERS.contains(name)) {
                throw new IOException("unknown member \"" + name + "\"");
            }
        }
        JsonNode registeredAt = json.path("registeredAt");
        return new Registration(
                json.path("serverUrl").textValue(),
                json.path("region").textValue(),
                json.path("instanceId").textValue(),
                json.path("accessKeyId").textValue(),
                json.path("secretAccessKey").textValue(),
                json.path("heartbeatIntervalSeconds").asLong(),
                registeredAt.isTextual() ? Instant.parse(registeredAt.textValue()) : null);
    }

    public void write(Registration registration) throws IOException {
        PrivateFiles.write(
                file, AgentJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(registration));
    }

    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
