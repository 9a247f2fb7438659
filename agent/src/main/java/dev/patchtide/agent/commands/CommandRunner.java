package dev.patchtide.agent.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.Backoff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's command channel: a long poll of {@code Patchtide.ReceiveCommandInvocations} on its own thread
 * (so a command arrives within a second, whatever the heartbeats and scans are doing), each invocation
 * recorded in the {@link Journal} before it starts and run by an {@link Execution}, and its results sent by a
 * {@link ResultSender}. At most once: an invocation the journal knows is never started again; one the journal
 * shows running when the agent starts (it stopped or crashed meanwhile) is reported Failed, and only a step that
 * asked for a reboot is resumed.
 */
public final class CommandRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);
    static final String RECEIVE = "Patchtide.ReceiveCommandInvocations";
    /** How long a restart after the agent's own upgrade waits for the server to take the result first. */
    static final Duration RESULT_BEFORE_RESTART = Duration.ofSeconds(30);

    static final String STOPPED_NOTE =
            "the agent stopped while this command ran; it was not started again and is reported Failed";

    /**
     * @param waitTimeSeconds how long the server may hold a poll (0..20)
     * @param maxBackoff the longest pause between attempts while the server is away
     * @param outputCap the most bytes of each step's stdout and of its stderr kept and reported
     * @param keepFinished how many settled invocations the journal keeps
     * @param keepFor how long it keeps them at most
     */
    public record Settings(
            int waitTimeSeconds, Duration maxBackoff, long outputCap, int keepFinished, Duration keepFor) {
        public static final long OUTPUT_CAP = 8L * 1024 * 1024;

        public Settings {
            if (waitTimeSeconds < 0 || waitTimeSeconds > 20) {
                throw new IllegalArgumentException("waitTimeSeconds must be between 0 and 20");
            }
            if (maxBackoff.toMillis() < 1) {
                throw new IllegalArgumentException("maxBackoff must be positive");
            }
            if (outputCap < 1024) {
                throw new IllegalArgumentException("outputCap must be at least 1024 bytes");
            }
            if (keepFinished < 1) {
                throw new IllegalArgumentException("keepFinished cannot be less than 1");
            }
            if (keepFor.isNegative() || keepFor.isZero()) {
                throw new IllegalArgumentException("keepFor must be positive");
            }
        }

        public static Settings defaults() {
            return new Settings(20, Duration.ofSeconds(30), OUTPUT_CAP, 100, Duration.ofDays(14));
        }
    }

    private final ApiClient api;
    private final String instanceId;
    private final InstantSource clock;
    private final Settings settings;
    private final Journal journal;
    private final Path scratch;
    private final Parts parts;
    private final ResultSender sender;
    private final AgentRestart restart;
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private final Runnable afterWork;
    private final Object pauses = new Object();
    private final StreamChoice streams;
    private volatile boolean stopping;
    private Thread poller;

    /**
     * @param stateDir the agent's state directory: the journal is {@code invocations/} in it
     * @param plugins the plugins besides the built-in {@code aws:runShellScript} and {@code aws:runDocument}
     * @param restart restarts the agent after a step replaced its package (see {@link AgentRestart})
     * @param root the host's file tree ("/" except in tests)
     * @param afterWork told when the last running invocation has ended (the daemon gives its heap back)
     */
    public CommandRunner(
            ApiClient api,
            String instanceId,
            Path stateDir,
            List<Plugin> plugins,
            RebootAction reboot,
            AgentRestart restart,
            PatchScans scans,
            Path root,
            InstantSource clock,
            Settings settings,
            Runnable afterWork) {
        this.restart = restart;
        this.afterWork = afterWork;
        this.streams = new StreamChoice(StreamChoice.RETRY_AFTER);
        this.api = api;
        this.instanceId = instanceId;
        this.clock = clock;
        this.settings = settings;
        this.journal = new Journal(stateDir.resolve("invocations"), settings.keepFinished(), settings.keepFor());
        this.scratch = stateDir.resolve("command-scripts");
        Map<String, Plugin> byAction = new LinkedHashMap<>();
        for (Plugin plugin : Stream.concat(
                        Stream.of(new ShellScriptPlugin(scratch, clock), new RunDocumentPlugin()), plugins.stream())
                .toList()) {
            if (byAction.putIfAbsent(plugin.action(), plugin) != null) {
                throw new IllegalArgumentException("two plugins run action " + plugin.action());
            }
        }
        this.sender = new ResultSender(journal, api, clock, settings.maxBackoff(), settings.outputCap());
        this.parts = new Parts(
                journal,
                Map.copyOf(byAction),
                reboot,
                api,
                scans,
                root,
                clock,
                settings.outputCap(),
                sender::wake,
                this::ended,
                this::restartAfterResult);
    }

    private void ended(String commandId) {
        executions.remove(commandId);
        if (executions.isEmpty()) {
            afterWork.run();
        }
    }

    /** Settles what the journal holds from before (crashed runs, a reboot to resume), then starts polling. */
    public synchronized void start() {
        if (poller != null) {
            throw new IllegalStateException("command runner already started");
        }
        clearScratch();
        for (JournalEntry entry : journal.all()) {
            switch (entry.state()) {
                case RUNNING -> reportStopped(entry);
                case AWAITING_REBOOT -> launch(entry.commandId(), true);
                case FINISHED -> {}
            }
        }
        sender.start();
        poller = Thread.ofPlatform().name("patchtide-commands").daemon(true).start(this::poll);
    }

    private void poll() {
        Backoff backoff = new Backoff(settings.maxBackoff());
        Map<String, Object> plain = Map.of("InstanceId", instanceId, "WaitTimeSeconds", settings.waitTimeSeconds());
        Map<String, Object> held =
                Map.of("InstanceId", instanceId, "WaitTimeSeconds", settings.waitTimeSeconds(), "Stream", true);
        while (!stopping) {
            long began = System.nanoTime();
            boolean streaming = streams.streaming();
            try {
                boolean[] news = {false};
                ApiClient.AnswerHandler received = answer -> {
                    if (backoff.reset()) {
                        log.info("receiving commands from {} again", api.endpoint());
                    }
                    news[0] |= handle(answer);
                };
                if (streaming) {
                    api.stream(RECEIVE, held, received);
                } else {
                    received.accept(api.call(RECEIVE, plain));
                }
                // a server that answers at once with nothing new (cancellations already acted on) is not spun on
                if (!news[0] && System.nanoTime() - began < 500_000_000L) {
                    pause(Duration.ofMillis(500));
                }
            } catch (ApiCallException e) {
                if (streaming && StreamChoice.refusesStream(e)) {
                    streams.refused();
                    log.info("{} does not stream commands; polling, and trying a stream again later", api.endpoint());
                    continue;
                }
                failed(backoff, e);
            } catch (IOException e) {
                failed(backoff, e);
            } catch (RuntimeException e) {
                log.error("the command poll failed; trying again", e); // the channel must outlive a bad answer
                pause(backoff.next());
            }
        }
    }

    private void failed(Backoff backoff, Exception e) {
        if (stopping) {
            return;
        }
        if (!backoff.failing()) {
            log.warn("cannot receive commands from {}: {}", api.endpoint(), e.getMessage());
        }
        pause(backoff.next());
    }

    private boolean handle(JsonNode answer) {
        boolean news = false;
        for (JsonNode item : answer.path("Invocations")) {
            news |= accept(item);
        }
        for (JsonNode id : answer.path("Cancellations")) {
            news |= cancel(id.asText());
        }
        return news;
    }

    private boolean accept(JsonNode item) {
        Invocation invocation;
        try {
            invocation = JournalJson.invocation(item);
        } catch (IOException e) {
            log.warn("ignoring an invocation the agent cannot read: {}", e.getMessage());
            return false;
        }
        if (!Invocation.isSafeId(invocation.commandId()) || !instanceId.equals(invocation.instanceId())) {
            log.warn("ignoring an invocation without a valid CommandId for instance {}", instanceId);
            return false;
        }
        synchronized (this) {
            try {
                if (!journal.create(JournalEntry.running(invocation, clock.instant()))) {
                    log.warn("command {} was received before; it is not run again", invocation.commandId());
                    return false;
                }
            } catch (IOException e) {
                log.error("cannot record command {}; not running it: {}", invocation.commandId(), e.getMessage());
                return false;
            }
            if (stopping) {
                return true; // recorded as running: the next start reports it Failed, as for a crash
            }
            log.info("command {} received: {}", invocation.commandId(), invocation.documentName());
            launch(invocation.commandId(), false);
        }
        return true;
    }

    /** Cancels a running invocation; one the agent never recorded is reported Cancelled at once. */
    private boolean cancel(String commandId) {
        Execution running = executions.get(commandId);
        if (running != null) {
            return running.cancel();
        }
        if (!Invocation.isSafeId(commandId) || journal.get(commandId).isPresent()) {
            return false;
        }
        Invocation unknown = new Invocation(commandId, instanceId, null, null, null, null, null, null);
        try {
            journal.create(JournalEntry.running(unknown, clock.instant())
                    .finished(JournalEntry.Outcome.of("Cancelled", -1, clock.instant())));
            sender.wake();
        } catch (IOException e) {
            log.error("cannot record the cancellation of command {}: {}", commandId, e.getMessage());
        }
        return true;
    }

    /**
     * After an invocation that replaced the agent's package: waits (a bounded while) for the server to take its
     * result, then restarts the agent. A result the server did not take in time stays owed in the journal, and
     * the agent that starts next sends it; the invocation itself is finished there and never runs again.
     */
    private void restartAfterResult(String commandId) {
        Thread.ofPlatform().name("patchtide-agent-restart").daemon(true).start(() -> {
            long end = System.nanoTime() + RESULT_BEFORE_RESTART.toNanos();
            try {
                sender.wake();
                while (!stopping
                        && System.nanoTime() < end
                        && journal.get(commandId)
                                .filter(JournalEntry::resultSent)
                                .isEmpty()) {
                    Thread.sleep(100);
                }
                if (stopping) {
                    return;
                }
                if (journal.get(commandId).filter(JournalEntry::resultSent).isEmpty()) {
                    log.warn(
                            "the server did not take the result of command {} yet; the restarted agent sends it",
                            commandId);
                }
                restart.restart();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                log.error("cannot restart the agent after command {}: {}", commandId, e.getMessage());
            }
        });
    }

    private void launch(String commandId, boolean resume) {
        Execution execution = new Execution(parts, commandId);
        executions.put(commandId, execution);
        execution.start(resume);
    }

    /** The crash rule: what ran when the agent stopped ends Failed, with a note in the step it was running. */
    private void reportStopped(JournalEntry entry) {
        String id = entry.commandId();
        int planned = entry.invocation().steps().size();
        int step = 0;
        while (step < entry.steps().size() && entry.steps().get(step).finished()) {
            step++;
        }
        if (step >= entry.steps().size() && step >= planned && step > 0) {
            step--; // every step had ended: the note goes with the last one
        }
        int index = step;
        try {
            try (CappedOutput out = new CappedOutput(journal.stdout(id, index), settings.outputCap())) {
                Notes.write(out, STOPPED_NOTE);
            }
            journal.update(id, e -> {
                JsonNode planStep = e.invocation().steps().path(index);
                StepRecord record = index < e.steps().size()
                        ? e.steps().get(index)
                        : StepRecord.started(
                                planStep.path("Name").asText("step" + (index + 1)),
                                planStep.path("Action").asText(""),
                                e.started());
                StepRecord ended = record.finished() ? record : record.ended("Failed", -1, clock.instant());
                return e.withStep(index, ended).finished(JournalEntry.Outcome.of("Failed", -1, clock.instant()));
            });
            log.warn("command {} was running when the agent stopped; reporting it Failed", id);
        } catch (IOException e) {
            // left "running": the next start tries again, and the invocation is still never rerun
            log.error("cannot record that command {} was cut short: {}", id, e.getMessage());
        }
    }

    private void clearScratch() {
        if (!Files.isDirectory(scratch)) {
            return;
        }
        try (Stream<Path> left = Files.list(scratch)) {
            for (Path file : left.toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            log.warn("cannot clear {}: {}", scratch, e.getMessage());
        }
    }

    private void pause(Duration duration) {
        synchronized (pauses) {
            if (stopping) {
                return;
            }
            try {
                pauses.wait(Math.max(1, duration.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
            }
        }
    }

    /**
     * The agent's heartbeat reached the server again: the poll and the results waiting in the journal are
     * tried now, not at the end of their backoff (which may be minutes after an outage).
     */
    public void serverBack() {
        synchronized (pauses) {
            pauses.notifyAll();
        }
        sender.serverBack();
    }

    /** Stops polling and sending; running steps are stopped and stay "running" in the journal. */
    @Override
    public void close() {
        synchronized (this) {
            stopping = true;
        }
        synchronized (pauses) {
            pauses.notifyAll();
        }
        try {
            Thread running = poller;
            if (running != null) {
                running.interrupt();
                api.abortCall(running); // a held long poll's read does not heed the interrupt
                running.join(Duration.ofSeconds(10));
            }
            for (Execution execution : List.copyOf(executions.values())) {
                execution.stop();
            }
            sender.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
