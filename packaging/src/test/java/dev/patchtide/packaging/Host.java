package dev.patchtide.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a host tool (dpkg-deb, dpkg, systemd-analyze, sh) to its end for a test; output and exit code. */
record Host(int exit, String output) {
    static Host run(Path dir, List<String> command) throws IOException, InterruptedException {
        return run(dir, command, Map.of());
    }

    /** With these environment variables added to this JVM's; an empty value removes the variable. */
    static Host run(Path dir, List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        Path log = Files.createTempFile("host-tool", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            env.forEach((name, value) -> {
                if (value.isEmpty()) {
                    builder.environment().remove(name);
                } else {
                    builder.environment().put(name, value);
                }
            });
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in 5 minutes");
            }
            return new Host(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static String ok(Path dir, String... command) throws IOException, InterruptedException {
        Host result = run(dir, List.of(command));
        if (result.exit() != 0) {
            throw new AssertionError(List.of(command) + " exited " + result.exit() + ":\n" + result.output());
        }
        return result.output();
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
