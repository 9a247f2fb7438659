package dev.patchtide.agent.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Runs the package manager's commands: output captured, or copied to the step's output as it comes. */
final class Processes {
    private Processes() {}

    record Captured(int exitCode, String output) {}

    /** Runs {@code command} with stderr merged into stdout, and returns both. */
    static Captured capture(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Captured(process.waitFor(), out);
    }

    /** Runs {@code command}, copying its stdout and stderr to {@code out} and {@code err} as they come. */
    static int run(List<String> command, Map<String, String> env, OutputStream out, OutputStream err)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        Thread errors = Thread.ofVirtual().start(() -> copy(process.getErrorStream(), err));
        copy(process.getInputStream(), out);
        // Not killed when the step is cancelled: a package manager stopped mid-transaction leaves dpkg or rpm
        // half done, which is worse for the host than finishing.
        int code = process.waitFor();
        errors.join();
        return code;
    }

    private static void copy(InputStream in, OutputStream out) {
        try (in) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
