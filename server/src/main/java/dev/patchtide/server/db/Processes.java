package dev.patchtide.server.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs PostgreSQL's programs. PostgreSQL refuses to run as root, so when we are root they run as
 * {@code nobody} through util-linux's {@code setpriv}.
 */
final class Processes {
    record Result(int exitCode, String output) {}

    private final boolean asNobody;

    Processes(boolean asNobody) {
        this.asNobody = asNobody;
    }

    static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    boolean asNobody() {
        return asNobody;
    }

    Result run(Path workDir, long timeoutSeconds, List<String> command) throws IOException {
        List<String> full = asUser(command);
        Path output = Files.createTempFile("patchtide-pg-", ".out");
        try {
            Process process = new ProcessBuilder(full)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSeconds + "s");
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.getFirst(), e);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * Starts a long-lived program whose standard input is a pipe from this JVM (see {@link Watchdog});
     * its output is discarded.
     */
    Process spawn(Path workDir, List<String> command) throws IOException {
        return new ProcessBuilder(asUser(command))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private List<String> asUser(List<String> command) {
        List<String> full = new ArrayList<>();
        if (asNobody) {
            full.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
        }
        full.addAll(command);
        return full;
    }

    Result runOrFail(Path workDir, long timeoutSeconds, List<String> command) throws IOException {
        Result result = run(workDir, timeoutSeconds, command);
        if (result.exitCode() != 0) {
            throw new IOException(Path.of(command.getFirst()).getFileName() + " failed (exit " + result.exitCode()
                    + "):\n" + result.output());
        }
        return result;
    }

    /** Hands a folder to the user PostgreSQL runs as. */
    void own(Path path) throws IOException {
        if (asNobody) {
            new Processes(false)
                    .runOrFail(path.getParent(), 120, List.of("chown", "-R", "nobody:nogroup", path.toString()));
        }
    }
}
