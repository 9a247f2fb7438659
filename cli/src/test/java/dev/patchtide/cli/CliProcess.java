package dev.patchtide.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code patchtide} command in its own JVM, as a user would, with its output in a file. */
final class CliProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private CliProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    static CliProcess start(Path workDir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Patchtide.class.getName());
        command.addAll(List.of(args));
        Files.createDirectories(workDir);
        Path output = Files.createTempFile(workDir, "patchtide-", ".log");
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        return new CliProcess(process, output);
    }

    /** Runs to completion and fails with the output if it does not exit 0. */
    static String run(Path workDir, String... args) throws Exception {
        try (CliProcess cli = start(workDir, args)) {
            int exit = cli.waitFor(Duration.ofSeconds(60));
            if (exit != 0) {
                throw new AssertionError(
                        "patchtide " + String.join(" ", args) + " exited " + exit + ":\n" + cli.output());
            }
            return cli.output();
        }
    }

    String output() throws IOException {
        return Files.readString(output);
    }

    /** The output so far, for use inside lambdas that cannot throw. */
    String outputSoFar() {
        try {
            return output();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("patchtide did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /** SIGTERM, like Ctrl-C: shutdown hooks run. */
    void stop() {
        process.destroy();
    }

    /** SIGKILL: nothing runs, as in a crash or a pulled plug. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        // As Ctrl-C, so `up` and `server` stop their PostgreSQL before the test deletes its folder (after a
        // SIGKILL the watchdog would stop it while the folder is being deleted); SIGKILL only if it hangs.
        stop();
        try {
            if (process.waitFor(60, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
    }
}
