package dev.patchtide.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The agent's registration on disk: {@code registration.json} in the agent's state directory, readable
 * by its owner only (0600, directory 0700) since it holds the instance's secret key. Written to a temp
 * file and renamed, so a crash never leaves half a file.
 */
public final class RegistrationFile {
    public static final String FILE_NAME = "registration.json";

    private final Path file;
    // A registration file is written by this code only: anything unknown in it means it is not one.
    private static final ObjectReader READER =
            AgentJson.mapper().readerFor(Registration.class).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final ObjectWriter WRITER = AgentJson.mapper().writerWithDefaultPrettyPrinter();

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
            return Optional.of(READER.readValue(file.toFile()));
        } catch (IOException e) {
            throw new IOException("cannot read the agent registration " + file + ": " + e.getMessage(), e);
        }
    }

    public void write(Registration registration) throws IOException {
        PrivateFiles.write(file, WRITER.writeValueAsBytes(registration));
    }

    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
