package dev.patchtide.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.commands.AgentRestart;
import dev.patchtide.agent.commands.CommandRunner;
import dev.patchtide.agent.commands.PatchScans;
import dev.patchtide.agent.commands.Plugin;
import dev.patchtide.agent.commands.RebootAction;
import dev.patchtide.agent.install.RunPatchBaseline;
import dev.patchtide.agent.scan.PatchReport;
import dev.patchtide.agent.tls.ServerCa;
import dev.patchtide.agent.update.AgentInstall;
import dev.patchtide.agent.update.UpdateAgentPlugin;
import dev.patchtide.core.Version;
import dev.patchtide.core.auth.SigV4Credentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's main loop: reports the host's facts to the server at once and then every heartbeat
 * interval. When the server cannot be reached it retries sooner, with jittered exponential backoff
 * capped at the interval, and logs only when the connection state changes, not on every attempt.
 * Alongside, on threads of their own, it scans for patches every scan interval and runs the commands the
 * server sends ({@link CommandRunner}). Scan reports and command results the server cannot take wait on disk
 * ({@link SpooledScans}, the command journal) and go, oldest first, when a heartbeat gets through again.
 */
public final class Agent implements AutoCloseable {
    public static final String NAME = "patchtide-agent";
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    /** The longest pause between two attempts to send kept scan reports (a heartbeat that gets through ends it). */
    static final Duration MAX_SPOOL_BACKOFF = Duration.ofMinutes(5);

    private final Registration registration;
    private final ApiClient client;
    private final Supplier<HostFacts> facts;
    private final Duration interval;
    private final Duration scanInterval;
    private final HeapTrim heap = HeapTrim.ofThisJvm();
    private final Path root;
    private final Path stateDir;
    private final InstantSource clock;
    private volatile Instant lastScan = Instant.MIN;
    /** Leaves out of each scan report what the server accepted already; remembers it on disk across restarts. */
    private final ScanReporter scanReporter;
    /** The daemon's scanner: its repeat scans re-read only the package lists and databases that changed. */
    private final PatchReport patchReport;
    /** Every scan report goes through the on-disk spool, so none is lost while the server is away. */
    private SpooledScans spooled;
    /** One scan at a time: the scan loop and a command's patch operation share the reporter's memory. */
    private final Object scanning = new Object();

    private final List<Plugin> plugins = new ArrayList<>();
    private RebootAction rebootAction = RebootAction.host();
    private AgentRestart restartAction = AgentRestart.none();
    private CommandRunner.Settings commandSettings = CommandRunner.Settings.defaults();
    private boolean commands = true;

    private final Object wakeUp = new Object();
    private volatile boolean stopping;
    private volatile Thread loop;

    /**
     * @param scanInterval how often to scan for patches and report them; {@link Duration#ZERO} turns scanning off
     * @param stateDir where the registration is kept; the agent remembers the inventory the server accepted there
     * @param root the host's file tree ("/" except in tests)
     */
    public Agent(
            Registration registration,
            Path stateDir,
            Duration interval,
            Duration scanInterval,
            Path root,
            Supplier<HostFacts> facts,
            InstantSource clock) {
        this.registration = registration;
        this.interval = interval;
        this.scanInterval = scanInterval;
        this.root = root;
        this.stateDir = stateDir;
        this.clock = clock;
        this.facts = facts;
        URI server = URI.create(registration.serverUrl());
        this.client = new ApiClient(
                server,
                registration.region(),
                Optional.of(new SigV4Credentials(registration.accessKeyId(), registration.secretAccessKey())),
                // Signatures are checked against the server's wall clock, so they are made with the host's; the
                // injected clock schedules the agent's work and dates its scans.
                InstantSource.system(),
                pinnedHttp(server, stateDir));
        this.patchReport = new PatchReport(root);
        this.scanReporter = new ScanReporter(registration.instanceId(), new AcceptedScanFile(stateDir));
        this.spooled = spooledScans(SpoolLimits.DEFAULTS, ScanSpool.Disk.REAL);
    }

    private SpooledScans spooledScans(SpoolLimits limits, ScanSpool.Disk disk) {
        return new SpooledScans(
                new ScanSpool(stateDir, limits, disk),
                scanReporter,
                request -> client.call("Patchtide.PutPatchScanReport", request),
                clock,
                MAX_SPOOL_BACKOFF);
    }

    /** How much of its scan reports the agent keeps while the server is away (before {@link #start}). */
    public synchronized Agent spoolLimits(SpoolLimits limits) {
        return spool(limits, ScanSpool.Disk.REAL);
    }

    /** As {@link #spoolLimits}, over a file layer of the test's (a full disk, a read-only folder). */
    synchronized Agent spool(SpoolLimits limits, ScanSpool.Disk disk) {
        requireNotStarted();
        this.spooled = spooledScans(limits, disk);
        return this;
    }

    /** Scan reports waiting for the server. */
    public int spooledScans() {
        return spooled.waiting();
    }

    /** Over https, trusting only the CA pinned at registration in the state folder. */
    private static HttpTransport pinnedHttp(URI server, Path stateDir) {
        try {
            return ServerCa.transport(server, stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * The agent of this host: its root is "/", it reboots the host, and it runs AWS-RunPatchBaseline's and
     * Patchtide-UpdateAgent's steps (the latter only where it runs from its package).
     */
    public static Agent forThisHost(
            Registration registration, Path stateDir, Duration interval, Duration scanInterval, InstantSource clock) {
        Path root = Path.of("/");
        return new Agent(registration, stateDir, interval, scanInterval, root, () -> HostFacts.collect(root), clock)
                .plugin(new RunPatchBaseline())
                .plugin(new UpdateAgentPlugin(stateDir, AgentInstall::detect));
    }

    /** Adds a plugin for the commands this agent runs (before {@link #start}); the shell ones are built in. */
    public synchronized Agent plugin(Plugin plugin) {
        requireNotStarted();
        plugins.add(plugin);
        return this;
    }

    /** Replaces the host's reboot (before {@link #start}), for a step that asks for one. */
    public synchronized Agent rebootAction(RebootAction action) {
        requireNotStarted();
        this.rebootAction = action;
        return this;
    }

    /** How the agent restarts after a command replaced its package (before {@link #start}); default: it does not. */
    public synchronized Agent restartAction(AgentRestart action) {
        requireNotStarted();
        this.restartAction = action;
        return this;
    }

    /** Tunes the command channel (before {@link #start}); {@code enabled} false runs no commands at all. */
    public synchronized Agent commands(boolean enabled, CommandRunner.Settings settings) {
        requireNotStarted();
        this.commands = enabled;
        this.commandSettings = settings;
        return this;
    }

    private void requireNotStarted() {
        if (loop != null) {
            throw new IllegalStateException("agent already started");
        }
    }

    /** Scans and reports for the commands' patch operations, the members of the operation in the report. */
    public PatchScans patchScans() {
        return this::scanAndReport;
    }

    /**
     * Scans this host for patches and reports the result; returns the server's verdict. The installed
     * inventory goes along only when it changed since the server last accepted it, and the list of available
     * updates only when it differs from the one last accepted: otherwise their hashes alone, and if the server
     * answers {@code InventoryRequired} or {@code PatchesRequired} (a new or restored database) the report is
     * sent again at once with what it asked for ({@link ScanReporter}). What the server accepted is remembered
     * on disk, so a restarted agent does not send its inventory and patch list again.
     */
    public JsonNode scanAndReport() throws IOException, ApiCallException {
        return scanAndReport(Optional.empty());
    }

    /**
     * As {@link #scanAndReport()}, for a command's patch operation: the report carries {@code Operation},
     * {@code OperationStartTime}, {@code OperationEndTime}, {@code RebootOption} and, when given, {@code
     * SnapshotId} and {@code InstallOverrideList}.
     */
    public JsonNode scanAndReport(PatchScans.PatchOperation operation) throws IOException, ApiCallException {
        return scanAndReport(Optional.of(operation));
    }

    private JsonNode scanAndReport(Optional<PatchScans.PatchOperation> operation) throws IOException, ApiCallException {
        synchronized (scanning) {
            Map<String, Object> report = patchReport.scan(registration.instanceId(), clock);
            operation.ifPresent(o -> report.putAll(operationMembers(o)));
            lastScan = clock.instant();
            return spooled.submit(report);
        }
    }

    static Map<String, Object> operationMembers(PatchScans.PatchOperation operation) {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("Operation", operation.operation());
        members.put("OperationStartTime", operation.startTime());
        members.put("OperationEndTime", operation.endTime());
        members.put("RebootOption", operation.rebootOption());
        operation.snapshotId().ifPresent(id -> members.put("SnapshotId", id));
        operation.installOverrideList().ifPresent(url -> members.put("InstallOverrideList", url));
        return members;
    }

    /** Sends one report now. */
    public void reportOnce() throws IOException, ApiCallException {
        HostFacts host = facts.get();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("InstanceId", registration.instanceId());
        report.put("AgentName", NAME);
        report.put("AgentVersion", Version.current());
        report.put("AgentStatus", "Active");
        report.put("ComputerName", host.computerName());
        report.put("IPAddress", host.primaryIpAddress());
        report.put("IPAddresses", host.ipAddresses());
        report.put("PlatformType", host.platformType());
        report.put("PlatformName", host.platformName());
        report.put("PlatformVersion", host.platformVersion());
        client.call("AmazonSSM.UpdateInstanceInformation", report);
    }

    /**
     * Starts the loop on its own thread and returns, having logged its start-up line: what a caller prints
     * next (up's banner) comes after it, not in the middle of it.
     */
    public synchronized void start() {
        if (loop != null) {
            throw new IllegalStateException("agent already started");
        }
        logStart();
        loop = Thread.ofPlatform().name("patchtide-agent").daemon(false).start(this::loop);
    }

    /**
     * Runs the heartbeat loop on the calling thread until {@link #close()} or interruption. Scans run on
     * a thread of their own: a scan can take many seconds (a 60 MB package index on a slow host), and the
     * heartbeats must go on meanwhile or the server would show the instance as ConnectionLost.
     */
    public void run() {
        logStart();
        loop();
    }

    private void logStart() {
        log.info("agent {} reporting to {} every {}", registration.instanceId(), registration.serverUrl(), interval);
    }

    private void loop() {
        CommandRunner runner = startCommands();
        Thread scans = scanInterval.isZero()
                ? null
                : Thread.ofPlatform().name("patchtide-agent-scan").daemon(true).start(this::scanLoop);
        try {
            heartbeats(runner);
        } finally {
            if (scans != null) {
                scans.interrupt();
            }
            if (runner != null) {
                runner.close();
            }
        }
    }

    /** A command channel that cannot start (an unwritable journal) is logged; the heartbeats go on. */
    private CommandRunner startCommands() {
        try {
            CommandRunner runner = commandRunner();
            if (runner != null) {
                runner.start();
            }
            return runner;
        } catch (RuntimeException e) {
            log.error("cannot run commands on this host: {}", describe(e), e);
            return null;
        }
    }

    private synchronized CommandRunner commandRunner() {
        if (!commands) {
            return null;
        }
        return new CommandRunner(
                client,
                registration.instanceId(),
                stateDir,
                List.copyOf(plugins),
                rebootAction,
                restartAction,
                patchScans(),
                root,
                clock,
                commandSettings,
                heap::afterWork);
    }

    private void heartbeats(CommandRunner runner) {
        boolean connected = true;
        Backoff backoff = new Backoff(interval);
        while (!stopping) {
            try {
                reportOnce();
                if (!connected) {
                    log.info("reconnected to {}", registration.serverUrl());
                    // what waited for the server goes now, not at the end of its own backoff
                    spooled.serverBack();
                    if (runner != null) {
                        runner.serverBack();
                    }
                    synchronized (wakeUp) {
                        wakeUp.notifyAll();
                    }
                }
                connected = true;
                backoff.reset();
                pause(interval);
            } catch (IOException | ApiCallException e) {
                if (connected && e instanceof ApiCallException api && api.isCredentialRejected()) {
                    log.error(
                            "the server refused this instance's credential ({}); was it deregistered?"
                                    + " Register again with 'patchtide agent register'.",
                            describe(e));
                } else if (connected) {
                    log.warn("cannot report to {}: {}", registration.serverUrl(), describe(e));
                }
                connected = false;
                pause(backoff.next());
            }
        }
    }

    /**
     * Scans when due and sends the reports kept while the server was away when their backoff allows, then sleeps
     * until the next of those; re-checks at least every heartbeat interval.
     */
    private void scanLoop() {
        while (!stopping) {
            scanIfDue();
            Duration wait = interval;
            synchronized (scanning) {
                if (!spooled.sendIfDue()) {
                    wait = min(wait, spooled.untilNextAttempt());
                }
            }
            pause(min(wait, Duration.between(clock.instant(), lastScan.plus(scanInterval))));
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    /** A failed scan is logged and tried again one scan interval later; it never stops the heartbeats. */
    private void scanIfDue() {
        if (clock.instant().isBefore(lastScan.plus(scanInterval))) {
            return;
        }
        try {
            JsonNode verdict = scanAndReport();
            log.info(
                    "patch scan reported: {} with {} missing patches (baseline {})",
                    verdict.path("ComplianceStatus").asText(),
                    verdict.path("MissingCount").asInt(),
                    verdict.path("BaselineId").asText());
            heap.afterWork();
        } catch (SpooledScans.Kept e) {
            // kept for the server, which is away: said once when it went away, not at every scan
            log.debug("patch scan kept: {}", e.getMessage());
        } catch (IOException | ApiCallException | RuntimeException e) {
            log.warn("patch scan failed: {}", describe(e));
            lastScan = clock.instant();
        }
    }

    private void pause(Duration duration) {
        synchronized (wakeUp) {
            if (stopping) {
                return;
            }
            try {
                wakeUp.wait(Math.max(1, duration.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public void close() {
        stopping = true;
        synchronized (wakeUp) {
            wakeUp.notifyAll();
        }
        Thread running = loop;
        if (running != null) {
            try {
                running.join(Duration.ofSeconds(70));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
