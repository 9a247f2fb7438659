package dev.patchtide.agent.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.PrivateFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code aws:runShellScript}: the {@code RunCommand} lines as one script run by {@code /bin/sh} in its own
 * session, so that a timeout or a cancellation kills the whole process tree it started, not only the shell.
 * Success is exit code 0; the step's {@code TimeoutSeconds} shortens the command's deadline.
 */
final class ShellScriptPlugin implements Plugin {
    static final String ACTION = "aws:runShellScript";
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final long POLL_MILLIS = 50;

    private final Path scratch;
    private final InstantSource clock;

    /** @param scratch where scripts are written while they run (private to the agent) */
    ShellScriptPlugin(Path scratch, InstantSource clock) {
        this.scratch = scratch;
        this.clock = clock;
    }

    @Override
    public String action() {
        return ACTION;
    }

    @Override
    public StepResult run(StepContext context) throws InterruptedException {
        JsonNode inputs = context.inputs();
        Instant deadline = context.deadline();
        if (inputs.path("TimeoutSeconds").canConvertToLong()
                || inputs.path("TimeoutSeconds").isTextual()) {
            long seconds = inputs.path("TimeoutSeconds").asLong(0);
            if (seconds > 0 && clock.instant().plusSeconds(seconds).isBefore(deadline)) {
                deadline = clock.instant().plusSeconds(seconds);
            }
        }
        Path script = null;
        try {
            Path workDir = workingDirectory(inputs);
            script = script(context.commandId(), lines(inputs.path("RunCommand")));
            return runScript(script, workDir, context, deadline);
        } catch (StepFailure e) {
            Notes.write(context.stderr(), e.getMessage());
            return StepResult.failed(-1);
        } catch (IOException e) {
            Notes.write(context.stderr(), "cannot run the script: " + e.getMessage());
            return StepResult.failed(-1);
        } finally {
            if (script != null) {
                try {
                    Files.deleteIfExists(script);
                } catch (IOException ignored) {
                    // the scratch directory is emptied at the next start
                }
            }
        }
    }

    private StepResult runScript(Path script, Path workDir, StepContext context, Instant deadline)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.add("/bin/sh");
        command.add(script.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("AWS_SSM_INSTANCE_ID", context.instanceId());
        builder.environment().put("PATCHTIDE_COMMAND_ID", context.commandId());
        Process process = builder.start();
        Thread out = pump(process.getInputStream(), context.stdout());
        Thread err = pump(process.getErrorStream(), context.stderr());
        try {
            while (!process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (context.cancelled().getAsBoolean()) {
                    ProcessTree.kill(process);
                    finishPumps(process, out, err);
                    Notes.write(context.stderr(), "the command was cancelled; its processes were killed");
                    return new StepResult("Cancelled", -1, false);
                }
                if (!clock.instant().isBefore(deadline)) {
                    ProcessTree.kill(process);
                    finishPumps(process, out, err);
                    Notes.write(context.stderr(), "the step timed out; its processes were killed");
                    return new StepResult("TimedOut", -1, false);
                }
            }
        } catch (InterruptedException e) {
            ProcessTree.kill(process); // the agent is stopping: the step is reported Failed at the next start
            throw e;
        }
        finishPumps(process, out, err);
        int code = process.exitValue();
        return code == 0 ? StepResult.success() : StepResult.failed(code);
    }

    /**
     * Waits a little for the pipes to drain; a background process the script left running may hold them open
     * for ever, and it does not hold the step.
     */
    private static void finishPumps(Process process, Thread out, Thread err) throws InterruptedException {
        process.waitFor(5, TimeUnit.SECONDS);
        out.join(2000);
        err.join(2000);
        if (out.isAlive() || err.isAlive()) {
            closeQuietly(process.getInputStream());
            closeQuietly(process.getErrorStream());
            out.join(1000);
            err.join(1000);
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing more to read anyway
        }
    }

    private static Thread pump(InputStream from, OutputStream to) {
        // A platform thread that ends with the copy: a virtual one would start the JDK's virtual-thread scheduler
        // (carrier threads, and an unblocker thread kept for the daemon's whole life) for two pipe reads.
        return Thread.ofPlatform().name("patchtide-output").daemon(true).start(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (from) {
                for (int n; (n = from.read(buffer)) >= 0; ) {
                    to.write(buffer, 0, n);
                }
            } catch (IOException ignored) {
                // the pipe closed under us (killed tree, or given up on after exit)
            }
        });
    }

    private Path workingDirectory(JsonNode inputs) throws StepFailure, IOException {
        String dir = inputs.path("WorkingDirectory").asText("");
        if (dir.isBlank()) {
            return PrivateFiles.directory(scratch);
        }
        Path path = Path.of(dir);
        if (!path.isAbsolute() || !Files.isDirectory(path)) {
            throw new StepFailure("WorkingDirectory " + dir + " is not an existing absolute directory");
        }
        return path;
    }

    private Path script(String commandId, String body) throws IOException {
        PrivateFiles.directory(scratch);
        Path file = Files.createTempFile(
                scratch,
                commandId + "-",
                ".sh",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(file, body, StandardCharsets.UTF_8);
        return file;
    }

    private static String lines(JsonNode runCommand) throws StepFailure {
        if (runCommand.isTextual()) {
            return runCommand.asText() + "\n";
        }
        if (!runCommand.isArray() || runCommand.isEmpty()) {
            throw new StepFailure("RunCommand must be a non-empty list of lines");
        }
        StringBuilder script = new StringBuilder();
        for (JsonNode line : runCommand) {
            script.append(line.asText()).append('\n');
        }
        return script.toString();
    }

    /** A step input that makes the step fail before anything runs. */
    static final class StepFailure extends Exception {
        private static final long serialVersionUID = 1L;

        StepFailure(String message) {
            super(message);
        }
    }
}
