package dev.patchtide.server.enrolment;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The agent packages this server hands out: those in its directory, by exact file name. Installed, that is
 * {@code /usr/share/patchtide/agent-packages}; in a source tree, the build's {@code packaging/target}.
 */
public final class AgentPackageShelf {
    public static final Path INSTALLED = Path.of("/usr/share/patchtide/agent-packages");

    /** Only our packages' names, so a request can name nothing else in the directory (nor outside it). */
    private static final Pattern NAME = Pattern.compile("^patchtide-agent[_-][0-9A-Za-z.+~_-]{1,64}\\.(deb|rpm)$");

    private final Path directory;

    public AgentPackageShelf(Path directory) {
        this.directory = directory;
    }

    /** The installed directory if present, else {@code packaging/target} of the build these classes came from. */
    public static AgentPackageShelf standard() {
        if (Files.isDirectory(INSTALLED)) {
            return new AgentPackageShelf(INSTALLED);
        }
        return new AgentPackageShelf(buildTree().orElse(INSTALLED));
    }

    private static Optional<Path> buildTree() {
        try {
            Path here = Path.of(AgentPackageShelf.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toAbsolutePath();
            for (Path dir = here; dir != null; dir = dir.getParent()) {
                Path target = dir.resolve("packaging").resolve("target");
                if (Files.isDirectory(target) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                    return Optional.of(target);
                }
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // no code location to start from (unusual class loader): only the installed directory then
        }
        return Optional.empty();
    }

    public Path directory() {
        return directory;
    }

    /** The package of that name, if the name is one of ours and the file is here. */
    Optional<Path> find(String fileName) {
        if (fileName == null || !NAME.matcher(fileName).matches()) {
            return Optional.empty();
        }
        Path file = directory.resolve(fileName);
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** The package for {@code version} in the given format ("deb" or "rpm"), if it was built. */
    Optional<String> fileFor(String version, String format) {
        String name = format.equals("deb")
                ? "patchtide-agent_" + version + "_amd64.deb"
                : "patchtide-agent-" + version + "-1.x86_64.rpm";
        return find(name).map(p -> name);
    }

    /** Whether the directory holds any package at all (else the script says where they should be). */
    boolean isEmpty() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.noneMatch(p -> NAME.matcher(p.getFileName().toString()).matches());
        } catch (IOException e) {
            return true;
        }
    }
}
