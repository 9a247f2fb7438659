package dev.patchtide.agent.update;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.PrivateFiles;
import dev.patchtide.agent.commands.Plugin;
import dev.patchtide.agent.commands.StepContext;
import dev.patchtide.agent.commands.StepResult;
import dev.patchtide.core.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code patchtide:updateAgent}, the step of {@code Patchtide-UpdateAgent}: the agent upgrades its own package
 * from the server it is registered with. Named in Patchtide's namespace, not {@code aws:updateSsmAgent}, because
 * its contract differs: AWS's downloads amazon-ssm-agent from Amazon's S3 manifest ({@code source}), this one
 * installs patchtide-agent from the server's shelf, checked against the size and SHA-256 the server states.
 *
 * <p>In order: which install this is (dpkg or rpm, from the package prefix the agent runs from); what the server
 * ships for that format and this architecture ({@code Patchtide.DescribeAgentPackages}); the target (the input
 * {@code TargetVersion}, or the newest); nothing to do at that version already; a downgrade refused unless
 * {@code AllowDowngrade}; the download (same pinned TLS as the API, bounded by the stated size) checked; then,
 * with the journal told that the agent starting next resumes this step (as after a reboot), {@code dpkg -i} or
 * {@code rpm -U}. The step ends Success asking the runner to restart the agent once the result is reported; an
 * agent stopped during the install instead finds the step to resume at start-up and reports how it ended.
 */
public final class UpdateAgentPlugin implements Plugin {
    public static final String ACTION = "patchtide:updateAgent";
    static final String DESCRIBE = "Patchtide.DescribeAgentPackages";
    /** The largest package the agent downloads, whatever the server states (today's are about 50 MB). */
    static final long MAX_PACKAGE = 512L * 1024 * 1024;

    private final Path workDir;
    private final Supplier<Optional<AgentInstall>> install;
    private final Map<String, String> env;

    /**
     * @param stateDir the agent's state folder: the download and the record of an upgrade under way go in
     *     {@code agent-update/} there (root's only, kept across the restart)
     * @param install the install this agent runs from ({@link AgentInstall#detect()})
     */
    public UpdateAgentPlugin(Path stateDir, Supplier<Optional<AgentInstall>> install) {
        this(stateDir, install, System.getenv());
    }

    UpdateAgentPlugin(Path stateDir, Supplier<Optional<AgentInstall>> install, Map<String, String> env) {
        this.workDir = stateDir.resolve("agent-update");
        this.install = install;
        this.env = env;
    }

    @Override
    public String action() {
        return ACTION;
    }

    @Override
    public StepResult run(StepContext context) throws InterruptedException {
        Optional<AgentInstall> found = install.get();
        if (found.isEmpty()) {
            return failed(
                    context,
                    "this agent does not run from its package (/" + AgentInstall.JAR_IN_ROOT
                            + " of a dpkg or rpm install), so it cannot upgrade itself; upgrade it the way it was"
                            + " installed");
        }
        AgentInstall host = found.get();
        String requested = context.inputs().path("TargetVersion").asText("").strip();
        boolean allowDowngrade =
                context.inputs().path("AllowDowngrade").asText("false").equals("true");
        try {
            Optional<String> current = host.installedVersion();
            if (current.isEmpty()) {
                return failed(context, "the package database does not list " + AgentInstall.PACKAGE);
            }
            List<ShippedPackage> shipped = shipped(context, host);
            if (shipped.isEmpty()) {
                return failed(
                        context,
                        "the server ships no " + host.format().id + " package of the agent for " + host.architecture());
            }
            Optional<ShippedPackage> target = requested.isEmpty()
                    ? shipped.stream().max((a, b) -> host.compare(a.version(), b.version()))
                    : shipped.stream()
                            .filter(p -> host.compare(p.version(), requested) == 0)
                            .findFirst();
            if (target.isEmpty()) {
                return failed(
                        context,
                        "version " + requested + " is not among the agent packages the server ships for "
                                + host.format().id + "/" + host.architecture() + ": "
                                + String.join(
                                        ", ",
                                        shipped.stream()
                                                .map(ShippedPackage::version)
                                                .toList()));
            }
            ShippedPackage to = target.get();
            String from = current.get();
            int order = host.compare(to.version(), from);
            if (order == 0) {
                note(
                        context.stdout(),
                        AgentInstall.PACKAGE + " is already at version " + from + "; nothing to install");
                return StepResult.success();
            }
            if (order < 0 && !allowDowngrade) {
                return failed(
                        context,
                        "refusing to downgrade " + AgentInstall.PACKAGE + " from " + from + " to " + to.version()
                                + "; run Patchtide-UpdateAgent with allowDowngrade=true to allow it");
            }
            return upgrade(context, host, from, to, order < 0);
        } catch (IOException | ApiCallException e) {
            return failed(context, "cannot upgrade the agent: " + e.getMessage());
        }
    }

    private StepResult upgrade(StepContext context, AgentInstall host, String from, ShippedPackage to, boolean down)
            throws IOException, InterruptedException {
        if (to.size() <= 0 || to.size() > MAX_PACKAGE) {
            return failed(
                    context,
                    "the server states a size of " + to.size() + " bytes for " + to.fileName() + ", outside 1.."
                            + MAX_PACKAGE);
        }
        PrivateFiles.directory(workDir);
        Path file = workDir.resolve(to.fileName());
        try {
            note(
                    context.stdout(),
                    (down ? "downgrading " : "upgrading ") + AgentInstall.PACKAGE + " from " + from + " to "
                            + to.version() + ": downloading " + to.fileName() + " (" + to.size() + " bytes)");
            context.api().download("/agent-packages/" + to.fileName(), to.size(), file);
            long size = Files.size(file);
            String sha256 = sha256(file);
            if (size != to.size() || !sha256.equals(to.sha256())) {
                return failed(
                        context,
                        "the downloaded " + to.fileName() + " (" + size + " bytes, SHA-256 " + sha256
                                + ") does not match what the server states (" + to.size() + " bytes, SHA-256 "
                                + to.sha256() + "); nothing was installed");
            }
            note(context.stdout(), "SHA-256 " + sha256 + " matches; installing with " + host.format().id);
            PrivateFiles.write(
                    record(),
                    UpdateRecord.of(context.commandId(), from, to.version()).bytes());
            if (!context.restartGuard().resumeIfAgentRestarts()) {
                Files.deleteIfExists(record());
                return failed(context, ACTION + " runs only as a step of the command's own document, not a nested one");
            }
            long left = Duration.between(Instant.now(), context.deadline()).toMillis();
            int code = host.install(file, down, env, context.stdout(), left);
            Optional<String> now = host.installedVersion();
            if (code != 0) {
                return failed(
                        context,
                        host.format().id + " ended with exit code " + code + "; the package is at "
                                + now.orElse("(none)"),
                        code);
            }
            if (now.isEmpty() || host.compare(now.get(), to.version()) != 0) {
                return failed(
                        context,
                        "after the install the package is at " + now.orElse("(none)") + ", not " + to.version());
            }
            Files.deleteIfExists(record());
            note(
                    context.stdout(),
                    "installed " + AgentInstall.PACKAGE + " " + to.version() + " (was " + from
                            + "); the agent restarts to run it once this result is reported");
            return StepResult.successThenRestart();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * In the agent that starts after this step's install stopped the one before it: the step ends as the install
     * did, by the version the package database and this agent have now.
     */
    @Override
    public StepResult resumeAfterReboot(StepContext context) throws InterruptedException {
        try {
            Optional<UpdateRecord> started = UpdateRecord.read(record());
            Files.deleteIfExists(record());
            if (started.isEmpty() || !started.get().commandId().equals(context.commandId())) {
                return failed(context, "the agent restarted during the upgrade but has no record of it");
            }
            UpdateRecord upgrade = started.get();
            Optional<AgentInstall> host = install.get();
            Optional<String> installed = host.isPresent() ? host.get().installedVersion() : Optional.empty();
            String running = Version.current();
            boolean done = host.isPresent()
                    && installed
                            .filter(v -> host.get().compare(v, upgrade.to()) == 0)
                            .isPresent()
                    && host.get().compare(running, upgrade.to()) == 0;
            if (!done) {
                return failed(
                        context,
                        "the upgrade from " + upgrade.from() + " to " + upgrade.to()
                                + " did not complete: the package is at " + installed.orElse("(unknown)")
                                + " and the agent runs " + running);
            }
            note(context.stdout(), "the agent restarted at version " + running + " (was " + upgrade.from() + ")");
            return StepResult.success();
        } catch (IOException e) {
            return failed(context, "cannot check the upgrade after the restart: " + e.getMessage());
        }
    }

    private Path record() {
        return workDir.resolve("update.json");
    }

    private List<ShippedPackage> shipped(StepContext context, AgentInstall host) throws IOException, ApiCallException {
        JsonNode answer = context.api().call(DESCRIBE, Map.of("InstanceId", context.instanceId()));
        List<ShippedPackage> mine = new ArrayList<>();
        for (JsonNode p : answer.path("Packages")) {
            ShippedPackage pkg = new ShippedPackage(
                    p.path("FileName").asText(""),
                    p.path("Version").asText(""),
                    p.path("Format").asText(""),
                    p.path("Architecture").asText(""),
                    p.path("Size").asLong(-1),
                    p.path("Sha256").asText(""));
            if (pkg.format().equals(host.format().id)
                    && pkg.architecture().equals(host.architecture())
                    && pkg.isWellFormed()) {
                mine.add(pkg);
            }
        }
        return mine;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static StepResult failed(StepContext context, String why) {
        return failed(context, why, 1);
    }

    private static StepResult failed(StepContext context, String why, int code) {
        note(context.stderr(), why);
        return StepResult.failed(code);
    }

    private static void note(OutputStream to, String line) {
        try {
            to.write(("[patchtide] " + line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the output is closed: the step's status still says what happened
        }
    }
}
