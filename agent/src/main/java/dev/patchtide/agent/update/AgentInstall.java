package dev.patchtide.agent.update;

import dev.patchtide.agent.install.TransientUnit;
import dev.patchtide.core.version.DebianVersion;
import dev.patchtide.core.version.RpmVersion;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The package this agent runs from: found from its own jar's place, {@code <root>/usr/lib/patchtide-agent/
 * patchtide-agent.jar}, and from which package database lists it (dpkg's, else rpm's). The root is "/" on a
 * host; a throwaway root where the package was installed with {@code dpkg --root} in tests.
 *
 * @param root the file tree the package is installed in
 * @param format deb or rpm
 */
public record AgentInstall(Path root, Format format) {
    static final String PACKAGE = "patchtide-agent";
    static final Path JAR_IN_ROOT = Path.of("usr/lib/patchtide-agent/patchtide-agent.jar");
    /** Set for the package manager and its scripts: the agent restarts itself once it reported (see postinst). */
    static final String SELF_UPDATE_ENV = "PATCHTIDE_AGENT_SELF_UPDATE";

    public enum Format {
        DEB("deb"),
        RPM("rpm");

        final String id;

        Format(String id) {
            this.id = id;
        }
    }

    /** The install of the agent running this code, if it runs from its package. */
    public static Optional<AgentInstall> detect() {
        // The class path first, as the launcher gave it: with the package's class archive (CDS) a class's code
        // source names the jar the archive was dumped from at build time, not the installed one.
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            try {
                Optional<AgentInstall> found = entry.isBlank() ? Optional.empty() : detect(Path.of(entry));
                if (found.isPresent()) {
                    return found;
                }
            } catch (IllegalArgumentException e) {
                // not a path on this system: try the next entry
            }
        }
        try {
            Path jar = Path.of(AgentInstall.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return detect(jar);
        } catch (URISyntaxException | SecurityException | NullPointerException | IllegalArgumentException e) {
            return Optional.empty(); // no code location (an unusual class loader): not a package install
        }
    }

    static Optional<AgentInstall> detect(Path jar) {
        Path absolute = jar.toAbsolutePath().normalize();
        if (!absolute.endsWith(JAR_IN_ROOT) || absolute.getNameCount() < JAR_IN_ROOT.getNameCount()) {
            return Optional.empty();
        }
        Path root = absolute;
        for (int i = 0; i < JAR_IN_ROOT.getNameCount(); i++) {
            root = root.getParent();
        }
        Path dpkgList = root.resolve("var/lib/dpkg/info/" + PACKAGE + ".list");
        try {
            if (Files.isRegularFile(dpkgList)
                    && Files.readAllLines(dpkgList, StandardCharsets.UTF_8).contains("/" + JAR_IN_ROOT)) {
                return Optional.of(new AgentInstall(root, Format.DEB));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        AgentInstall rpm = new AgentInstall(root, Format.RPM);
        try {
            return rpm.installedVersion().isPresent() ? Optional.of(rpm) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // no rpm on this host
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private boolean atHostRoot() {
        return root.toAbsolutePath().normalize().equals(Path.of("/"));
    }

    /** The version the package database records, if the package is installed. */
    Optional<String> installedVersion() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (format == Format.DEB) {
            command.addAll(List.of("dpkg-query", "--admindir=" + root.resolve("var/lib/dpkg"), "-W"));
            command.addAll(List.of("--showformat=${Version}", PACKAGE));
        } else {
            command.add("rpm");
            if (!atHostRoot()) {
                command.add("--root=" + root);
            }
            command.addAll(List.of("-q", "--qf", "%{VERSION}", PACKAGE));
        }
        Process p = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readNBytes(256), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command.getFirst() + " did not answer within a minute");
        }
        return p.exitValue() == 0 && !out.isEmpty() ? Optional.of(out) : Optional.empty();
    }

    /** The package manager's order of two versions. */
    int compare(String a, String b) {
        return format == Format.DEB ? DebianVersion.compare(a, b) : RpmVersion.compare(a, b);
    }

    /** This host's architecture as the format names it in package file names. */
    String architecture() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        if (format == Format.DEB) {
            return arm ? "arm64" : x86 ? "amd64" : arch;
        }
        return arm ? "aarch64" : x86 ? "x86_64" : arch;
    }

    /**
     * Installs {@code file} (dpkg -i, rpm -U) with its output copied to the step's, and returns the exit code.
     * Under systemd the package manager runs in a transient unit of its own (systemd-run): the agent's unit has
     * a read-only /usr, and the install must outlive the agent should something stop it meanwhile.
     */
    int install(Path file, boolean downgrade, Map<String, String> env, OutputStream out, long timeoutMillis)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (format == Format.DEB) {
            command.add("dpkg");
            if (!atHostRoot()) {
                command.addAll(List.of(
                        "--root=" + root, "--force-script-chrootless", "--log=" + root.resolve("var/log/dpkg.log")));
                if (!"root".equals(System.getProperty("user.name"))) {
                    command.add("--force-not-root");
                }
            }
            command.addAll(List.of("-i", file.toString()));
        } else {
            command.addAll(List.of("rpm", "-U"));
            if (downgrade) {
                command.add("--oldpackage");
            }
            if (!atHostRoot()) {
                command.add("--root=" + root);
            }
            command.add(file.toString());
        }
        TransientUnit outside = atHostRoot() ? TransientUnit.fromEnvironment(env) : TransientUnit.direct();
        Map<String, String> selfUpdate = Map.of(SELF_UPDATE_ENV, "1");
        String unit = TransientUnit.unitName(Optional.of("agent-update"), System.currentTimeMillis());
        ProcessBuilder builder =
                new ProcessBuilder(outside.commandLine(command, selfUpdate, unit)).redirectErrorStream(true);
        builder.environment().putAll(selfUpdate);
        Process p = builder.start();
        p.getOutputStream().close();
        // platform, not virtual: no virtual-thread scheduler (and its lasting threads) for one pipe read
        Thread copier = Thread.ofPlatform()
                .name("patchtide-output")
                .daemon(true)
                .start(() -> {
                    try (var in = p.getInputStream()) {
                        in.transferTo(out);
                    } catch (IOException ignored) {
                        // the step's output is capped or closed: the exit code still tells the outcome
                    }
                });
        // Not killed at the deadline: a package manager stopped half way leaves the package half installed,
        // worse than letting it finish; the wait is bounded so the step still ends.
        if (!p.waitFor(Math.max(1, timeoutMillis), TimeUnit.MILLISECONDS)) {
            copier.join(1000);
            return -1;
        }
        copier.join();
        return p.exitValue();
    }
}
