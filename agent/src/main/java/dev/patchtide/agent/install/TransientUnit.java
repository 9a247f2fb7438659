package dev.patchtide.agent.install;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where package-manager commands run. The agent's unit keeps the daemon in a sandbox (ProtectSystem=strict:
 * everything read-only but its state folder), right for a process that talks to a server all day, but apt-get,
 * dnf and the packages' own scripts write /usr, /etc, /boot and the package database. So when systemd runs the
 * agent ({@code INVOCATION_ID} set) and {@code systemd-run} is there, each package-manager command runs as a
 * transient service of its own ({@code systemd-run --wait --pipe}), with systemd's defaults and none of the
 * agent's restrictions; its output and exit code come back through the pipe. Anywhere else (a shell, a
 * container without systemd as PID 1, tests) the command runs as it is.
 *
 * @param systemdRun the {@code systemd-run} program, empty when commands run directly
 */
public record TransientUnit(Optional<Path> systemdRun) {

    public static TransientUnit direct() {
        return new TransientUnit(Optional.empty());
    }

    /** Through systemd-run when systemd started this process and the program is on {@code PATH}. */
    public static TransientUnit fromEnvironment(Map<String, String> env) {
        if (env.getOrDefault("INVOCATION_ID", "").isBlank()) {
            return direct();
        }
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = dir.isEmpty() ? null : Path.of(dir, "systemd-run");
            if (candidate != null && Files.isExecutable(candidate)) {
                return new TransientUnit(Optional.of(candidate));
            }
        }
        return direct();
    }

    boolean isDirect() {
        return systemdRun.isEmpty();
    }

    /**
     * The command line that runs {@code command} with {@code env}: the command itself, or systemd-run starting it
     * as the transient service {@code unit}. A transient service does not inherit the caller's environment, so
     * the variables go with it as {@code --setenv}.
     */
    public List<String> commandLine(List<String> command, Map<String, String> env, String unit) {
        if (systemdRun.isEmpty()) {
            return List.copyOf(command);
        }
        List<String> line = new ArrayList<>(List.of(
                systemdRun.get().toString(),
                "--wait",
                "--pipe",
                "--collect",
                "--quiet",
                "--service-type=exec",
                "--unit=" + unit,
                "--description=Patchtide agent: " + Path.of(command.getFirst()).getFileName()));
        new TreeMap<>(env).forEach((name, value) -> line.add("--setenv=" + name + "=" + value));
        line.add("--");
        line.addAll(command);
        return line;
    }

    /**
     * A unit name after the command invocation the install belongs to ({@code patchtide-install-<command id>-<n>}),
     * or {@code patchtide-install-<n>} outside one; characters a unit name may not hold become '_'.
     */
    public static String unitName(Optional<String> invocation, long sequence) {
        String label = invocation
                .map(id -> id.replaceAll("[^A-Za-z0-9_.:-]", "_"))
                .map(id -> id.length() > 100 ? id.substring(0, 100) : id)
                .map(id -> id + "-")
                .orElse("");
        return "patchtide-install-" + label + sequence + ".service";
    }
}
