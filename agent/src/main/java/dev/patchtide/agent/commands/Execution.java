package dev.patchtide.agent.commands;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one invocation's plan on a thread of its own, step after step, stopping at the first step that does not
 * succeed (as SSM runs schema 2.2 documents). Every step's start and end is in the journal before anything
 * else happens, so a restarted agent knows exactly where this one was.
 */
final class Execution {
    private static final Logger log = LoggerFactory.getLogger(Execution.class);
    /** A step asking for reboot after reboot would loop for ever. */
    static final int MAX_REBOOTS = 3;

    private static final int MAX_NESTING = 5;

    private final Parts parts;
    private final String commandId;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile Thread thread;

    Execution(Parts parts, String commandId) {
        this.parts = parts;
        this.commandId = commandId;
    }

    /** @param resume true when the agent starts after the reboot a step of this invocation asked for */
    void start(boolean resume) {
        thread = Thread.ofPlatform()
                .name("patchtide-command-" + commandId)
                .daemon(true)
                .start(() -> runGuarded(resume));
    }

    /** Returns false when it was cancelled already. */
    boolean cancel() {
        return cancelled.compareAndSet(false, true);
    }

    /** The agent is stopping: the step is interrupted and the invocation stays "running" in the journal. */
    void stop() throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            t.join(Duration.ofSeconds(15));
        }
    }

    private void runGuarded(boolean resume) {
        try {
            run(resume);
        } catch (InterruptedException e) {
            log.info("command {} interrupted: the agent is stopping", commandId);
        } catch (IOException e) {
            log.error("command {}: cannot write the command journal: {}", commandId, e.getMessage());
        } catch (RuntimeException e) {
            log.error("command {} failed in the agent", commandId, e);
        } finally {
            parts.ended(commandId);
        }
    }

    private void run(boolean resume) throws InterruptedException, IOException {
        JournalEntry entry = parts.journal().get(commandId).orElseThrow();
        JsonNode steps = entry.invocation().steps();
        int first = resume ? entry.rebootStep() : entry.steps().size();
        if (resume) {
            entry = parts.journal().update(commandId, JournalEntry::resumed);
            log.info("command {}: resuming step {} after the reboot it asked for", commandId, first + 1);
        }
        parts.changed();
        if (!steps.isArray()) {
            failWithoutPlan();
            return;
        }
        int lastCode = 0;
        boolean restartAgent = false;
        for (int i = first; i < steps.size(); i++) {
            if (cancelled.get()) {
                finish("Cancelled", -1);
                afterFinish(restartAgent);
                return;
            }
            if (!parts.clock().instant().isBefore(entry.deadline())) {
                finish("TimedOut", -1);
                afterFinish(restartAgent);
                return;
            }
            JsonNode step = steps.get(i);
            String name = step.path("Name").asText("step" + (i + 1));
            String action = step.path("Action").asText("");
            boolean resuming = resume && i == first;
            int index = i;
            if (!resuming) {
                parts.journal().update(commandId, e -> e.withStep(index, StepRecord.started(name, action, now())));
            }
            StepResult result;
            try (CappedOutput out = new CappedOutput(parts.journal().stdout(commandId, i), parts.outputCap());
                    CappedOutput err = new CappedOutput(parts.journal().stderr(commandId, i), parts.outputCap())) {
                StepContext context = context(entry, name, step.path("Inputs"), out, err, 0, i);
                result = runStep(action, context, resuming);
                if (result.rebootRequested()) {
                    reboot(i, err);
                    return;
                }
            }
            StepResult ended = result;
            parts.journal().update(commandId, e -> {
                JournalEntry stepEnded =
                        e.withStep(index, e.steps().get(index).ended(ended.status(), ended.responseCode(), now()));
                // a step that guarded against the agent's own restart has ended in this agent: nothing to resume
                return stepEnded.state() == JournalEntry.State.AWAITING_REBOOT ? stepEnded.resumed() : stepEnded;
            });
            restartAgent |= result.restartAgent() && result.succeeded();
            if (!result.succeeded()) {
                finish(result.status(), result.responseCode());
                afterFinish(restartAgent);
                return;
            }
            lastCode = result.responseCode();
        }
        finish("Success", lastCode);
        afterFinish(restartAgent);
    }

    /** The result is in the journal: an agent whose package a step replaced restarts now (see AgentRestart). */
    private void afterFinish(boolean restartAgent) {
        if (restartAgent) {
            parts.restartAgentAfter(commandId);
        }
    }

    private StepContext context(
            JournalEntry entry, String name, JsonNode inputs, OutputStream out, OutputStream err, int depth) {
        return context(entry, name, inputs, out, err, depth, -1);
    }

    /** @param index the step's index in the plan, for a top-level step; -1 for a nested plan's */
    private StepContext context(
            JournalEntry entry,
            String name,
            JsonNode inputs,
            OutputStream out,
            OutputStream err,
            int depth,
            int index) {
        StepContext.RestartGuard guard = index < 0
                ? StepContext.RestartGuard.UNAVAILABLE
                : () -> {
                    // as for a reboot: the agent that starts next resumes this step, it does not report a crash
                    parts.journal().update(commandId, e -> e.awaitingReboot(index));
                    return true;
                };
        return new StepContext(
                commandId,
                entry.invocation().instanceId(),
                name,
                inputs,
                entry.deadline(),
                out,
                err,
                cancelled::get,
                plan -> runNested(entry, plan, out, err, depth + 1),
                parts.api(),
                parts.root(),
                parts.scans(),
                guard);
    }

    /** A nested plan writes to the outer step's outputs; a reboot request inside it is handed up. */
    private StepResult runNested(JournalEntry entry, JsonNode plan, OutputStream out, OutputStream err, int depth)
            throws InterruptedException {
        if (depth > MAX_NESTING) {
            Notes.write(err, "documents nest deeper than " + MAX_NESTING + " levels");
            return StepResult.failed(-1);
        }
        for (JsonNode step : plan.path("Steps")) {
            if (cancelled.get()) {
                return new StepResult("Cancelled", -1, false);
            }
            String action = step.path("Action").asText("");
            StepResult result = runStep(
                    action, context(entry, step.path("Name").asText(""), step.path("Inputs"), out, err, depth), false);
            if (!result.succeeded() || result.rebootRequested()) {
                return result;
            }
        }
        return StepResult.success();
    }

    private StepResult runStep(String action, StepContext context, boolean resuming) throws InterruptedException {
        Plugin plugin = parts.plugins().get(action);
        if (plugin == null) {
            Notes.write(
                    context.stderr(),
                    "step " + context.stepName() + ": no plugin on this agent runs action '" + action + "'");
            return StepResult.failed(-1);
        }
        try {
            StepResult result = resuming ? plugin.resumeAfterReboot(context) : plugin.run(context);
            return switch (result.status()) {
                case "Success", "Failed", "TimedOut", "Cancelled" -> result;
                default -> {
                    Notes.write(context.stderr(), "the plugin ended with an unknown status " + result.status());
                    yield StepResult.failed(result.responseCode());
                }
            };
        } catch (RuntimeException e) {
            log.warn("command {} step {} failed in plugin {}", commandId, context.stepName(), action, e);
            Notes.write(context.stderr(), "the step failed in the agent: " + e.getMessage());
            return StepResult.failed(-1);
        }
    }

    /** Records which step asked for the reboot, then reboots; the agent that starts next resumes it. */
    private void reboot(int step, OutputStream err) throws IOException, InterruptedException {
        JournalEntry waiting = parts.journal().update(commandId, e -> e.awaitingReboot(step));
        if (waiting.reboots() > MAX_REBOOTS) {
            Notes.write(err, "the step asked for a reboot " + waiting.reboots() + " times; giving up");
            endStepAndFinish(step, "Failed", -1);
            return;
        }
        parts.changed();
        try {
            log.info("command {}: step {} asked for a reboot; rebooting", commandId, step + 1);
            parts.reboot().reboot();
        } catch (IOException | RuntimeException e) {
            Notes.write(err, "cannot reboot the host: " + e.getMessage());
            endStepAndFinish(step, "Failed", -1);
        }
    }

    private void endStepAndFinish(int step, String status, int code) throws IOException {
        parts.journal()
                .update(commandId, e -> e.withStep(step, e.steps().get(step).ended(status, code, now())));
        finish(status, code);
    }

    private void failWithoutPlan() throws IOException {
        try (CappedOutput err = new CappedOutput(parts.journal().stderr(commandId, 0), parts.outputCap())) {
            Notes.write(err, "the command came without a plan (Steps) to run");
        }
        parts.journal().update(commandId, e -> e.withStep(0, new StepRecord("plan", "", "Failed", -1, now(), now())));
        finish("Failed", -1);
    }

    private void finish(String status, int code) throws IOException {
        parts.journal().update(commandId, e -> e.finished(JournalEntry.Outcome.of(status, code, now())));
        log.info("command {} ended {}", commandId, status);
        parts.changed();
    }

    private Instant now() {
        return parts.clock().instant();
    }
}
