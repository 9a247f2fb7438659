package dev.patchtide.agent.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the package manager's commands: output captured, or copied to the step's output as it comes. Every
 * package manager starts its processes here, so each gets {@link TransientUnit}'s way out of the agent's
 * sandbox under systemd, and runs directly elsewhere.
 */
final class Processes {
    private static volatile TransientUnit outside = TransientUnit.fromEnvironment(System.getenv());
    private static final ThreadLocal<String> INVOCATION = new ThreadLocal<>();
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private Processes() {}

    record Captured(int exitCode, String output) {}

    /** A piece of an install that starts package-manager processes. */
    @FunctionalInterface
    interface Body<T> {
        T run() throws IOException, InterruptedException;
    }

    /** Runs {@code body} with its package-manager commands named after command {@code commandId}. */
    static <T> T forInvocation(String commandId, Body<T> body) throws IOException, InterruptedException {
        String before = INVOCATION.get();
        INVOCATION.set(commandId);
        try {
            return body.run();
        } finally {
            INVOCATION.set(before);
        }
    }

    /** Tests replace how commands run (a stand-in systemd-run); returns what was there. */
    static TransientUnit runWith(TransientUnit how) {
        TransientUnit before = outside;
        outside = how;
        return before;
    }

    /** Runs {@code command} with stderr merged into stdout, and returns both. */
    static Captured capture(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = start(command, env).redirectErrorStream(true);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Captured(process.waitFor(), out);
    }

    /** Runs {@code command}, copying its stdout and stderr to {@code out} and {@code err} as they come. */
    static int run(List<String> command, Map<String, String> env, OutputStream out, OutputStream err)
            throws IOException, InterruptedException {
        Process process = start(command, env).start();
        process.getOutputStream().close();
        // platform, not virtual: no virtual-thread scheduler (and its lasting threads) for one pipe read
        Thread errors = Thread.ofPlatform()
                .name("patchtide-output")
                .daemon(true)
                .start(() -> copy(process.getErrorStream(), err));
        copy(process.getInputStream(), out);
        // Not killed when the step is cancelled: a package manager stopped mid-transaction leaves dpkg or rpm
        // half done, which is worse for the host than finishing.
        int code = process.waitFor();
        errors.join();
        return code;
    }

    private static ProcessBuilder start(List<String> command, Map<String, String> env) {
        TransientUnit how = outside;
        String unit = TransientUnit.unitName(Optional.ofNullable(INVOCATION.get()), SEQUENCE.incrementAndGet());
        ProcessBuilder builder = new ProcessBuilder(how.commandLine(command, env, unit));
        builder.environment().putAll(env);
        return builder;
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
