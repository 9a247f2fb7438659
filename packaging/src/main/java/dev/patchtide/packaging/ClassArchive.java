package dev.patchtide.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's class data sharing archive (CDS), dumped at build time by the agent's own runtime from a list of
 * the classes its daemon loads ({@code agent.classlist} in the dist folder). The daemon then maps those classes
 * ready-made instead of reading them from the jimage and parsing them into metaspace: about 9 MB less resident
 * memory while idle (bench/README.md, "Below 64 MB?").
 *
 * <p>The JVM accepts the archive only with the jar it was dumped against (same size and modification time, so the
 * packages keep the files' times) and otherwise ignores it; the launcher silences that check, so a stale or
 * missing archive costs memory, never a start.
 */
final class ClassArchive {
    static final String FILE = "agent.jsa";
    private static final long TIMEOUT_SECONDS = 300;
    private static final Pattern NOT_FOUND = Pattern.compile("Preload Warning: Cannot find (\\S+)");

    private ClassArchive() {}

    /**
     * Dumps the archive for {@code jar} into {@code home}, which holds {@code runtime} as the package lays it out;
     * the jar is copied next to it with its modification time, as installed.
     *
     * @return the archive file
     */
    static Path dump(Path home, Path jar, String jarName, Path classList) throws IOException {
        Path runtimeJava = home.resolve("runtime/bin/java");
        if (!Files.isExecutable(runtimeJava)) {
            throw new IllegalStateException("no linked runtime in " + home);
        }
        if (!Files.isRegularFile(classList)) {
            throw new IllegalArgumentException("missing class list " + classList);
        }
        Path stagedJar = home.resolve(jarName);
        Files.copy(jar, stagedJar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        Path archive = home.resolve(FILE);
        Files.deleteIfExists(archive);
        Path log = log(home);
        Process dump = new ProcessBuilder(List.of(
                        runtimeJava.toString(),
                        // as the daemon runs (agent-jvm.options): compressed references and the serial collector,
                        // whatever the build host's memory would make the defaults
                        "-XX:+UseSerialGC",
                        "-Xmx256m",
                        "-Xshare:dump",
                        "-XX:SharedClassListFile=" + classList.toAbsolutePath(),
                        "-XX:SharedArchiveFile=" + archive.toAbsolutePath(),
                        "-cp",
                        stagedJar.toAbsolutePath().toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!dump.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                dump.destroyForcibly();
                throw new IllegalStateException(
                        "the class archive dump took over " + TIMEOUT_SECONDS + " s; see " + log);
            }
        } catch (InterruptedException e) {
            dump.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while dumping the class archive", e);
        }
        if (dump.exitValue() != 0 || !Files.isRegularFile(archive)) {
            throw new IllegalStateException(
                    "the class archive dump failed (exit " + dump.exitValue() + "); see " + log);
        }
        return archive;
    }

    /**
     * The names of the class list the last {@link #dump} into {@code home} could not find: classes renamed or
     * removed since the list was made. The dump skips them (the archive is still good), so the build only says so:
     * the list wants refreshing (bench/scripts/agent-classlist.sh).
     */
    static List<String> unknownNames(Path home) throws IOException {
        return unknownNames(Files.readAllLines(log(home)));
    }

    static List<String> unknownNames(List<String> dumpLog) {
        return dumpLog.stream()
                .map(NOT_FOUND::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1))
                .toList();
    }

    private static Path log(Path home) {
        return home.resolveSibling(FILE + ".log");
    }
}
