package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.workflows.ExecutionMessages.BillingDetails;
import dev.patchtide.server.workflows.ExecutionMessages.DataDetails;
import dev.patchtide.server.workflows.ExecutionMessages.StartExecutionResponse;
import dev.patchtide.server.workflows.ExecutionMessages.StartSyncExecutionResponse;
import dev.patchtide.server.workflows.MachineStore.Machine;
import dev.patchtide.workflow.StatesError;
import dev.patchtide.workflow.run.Effect;
import dev.patchtide.workflow.run.ExecutionContext;
import dev.patchtide.workflow.run.Interpreter;
import dev.patchtide.workflow.run.LocalRunner;
import dev.patchtide.workflow.run.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EXPRESS executions, in memory on the node that started them (as AWS: at most once, nothing durable, no history to
 * read back). A task calls its integration at once, in a transaction of its own; a timer is waited for on the
 * execution's virtual thread. Activities and {@code .waitForTaskToken} are STANDARD-only at AWS, so such a task fails.
 */
final class ExpressRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExpressRunner.class);
    /** AWS ends an EXPRESS execution after five minutes. */
    private static final Duration LIMIT = Duration.ofMinutes(5);

    private final Jdbi jdbi;
    private final Engines engines;
    private final Integrations integrations;
    private final SfnArns arns;
    private final InstantSource clock;
    private final HostEnvironment environment;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    ExpressRunner(Jdbi jdbi, Engines engines, Integrations integrations, SfnArns arns, InstantSource clock) {
        this.jdbi = jdbi;
        this.engines = engines;
        this.integrations = integrations;
        this.arns = arns;
        this.clock = clock;
        this.environment = new HostEnvironment(clock);
    }

    private record Ended(String arn, Instant start, Instant stop, Outcome outcome) {}

    StartExecutionResponse startAsync(Machine machine, String name, JsonNode input) {
        String arn =
                arns.expressExecution(machine.name(), name, UUID.randomUUID().toString());
        Instant start = clock.instant();
        threads.submit(() -> {
            try {
                run(machine, arn, name, input, start);
            } catch (RuntimeException e) {
                log.warn("express execution {} failed", arn, e);
            }
        });
        return new StartExecutionResponse(arn, start);
    }

    StartSyncExecutionResponse startSync(Machine machine, String name, String inputText, JsonNode input) {
        String arn =
                arns.expressExecution(machine.name(), name, UUID.randomUUID().toString());
        Ended ended = run(machine, arn, name, input, clock.instant());
        String status;
        String output = null;
        String error = null;
        String cause = null;
        switch (ended.outcome()) {
            case Outcome.Succeeded s -> {
                status = "SUCCEEDED";
                output = s.output().toString();
            }
            case Outcome.Failed f -> {
                status = "FAILED";
                error = f.error();
                cause = f.cause();
            }
            case Outcome.TimedOut t -> {
                status = "TIMED_OUT";
                error = t.error();
                cause = t.cause();
            }
            case Outcome.Aborted a -> {
                status = "FAILED";
                error = a.error();
                cause = a.cause();
            }
        }
        long millis =
                Math.max(100, Duration.between(ended.start(), ended.stop()).toMillis());
        return new StartSyncExecutionResponse(
                arn,
                machine.arn(),
                name,
                ended.start(),
                ended.stop(),
                status,
                error,
                cause,
                inputText,
                new DataDetails(true),
                output,
                output == null ? null : new DataDetails(true),
                new BillingDetails(64, (millis + 99) / 100 * 100));
    }

    private Ended run(Machine machine, String arn, String name, JsonNode input, Instant start) {
        Interpreter interpreter = jdbi.withHandle(h -> engines.forRevision(h, machine.revisionId()));
        ExecutionContext context =
                new ExecutionContext(arn, name, machine.roleArn(), start, machine.arn(), machine.name(), 0);
        long deadline = System.nanoTime() + LIMIT.toNanos();
        try {
            // Nobody reads an EXPRESS execution's history (AWS has no GetExecutionHistory for them): build none.
            LocalRunner.Result result = new LocalRunner(interpreter.machine(), false)
                    .run(input, context, environment, this::call, due -> waitUntil(due, deadline));
            return new Ended(arn, start, clock.instant(), result.outcome());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Ended(arn, start, clock.instant(), new Outcome.Aborted(null, "the server stopped"));
        } catch (TimedOut e) {
            return new Ended(
                    arn, start, clock.instant(), new Outcome.TimedOut(StatesError.TIMEOUT, "Execution timed out"));
        }
    }

    /** EXPRESS executions end after {@link #LIMIT} of real time. */
    private static final class TimedOut extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TimedOut() {
            super(null, null, false, false);
        }
    }

    private JsonNode call(Effect.RunTask task) {
        if (task.pattern() != Effect.Pattern.REQUEST_RESPONSE) {
            throw new StatesError(StatesError.RUNTIME, "EXPRESS state machines do not support " + task.pattern());
        }
        // A call that leaves this server holds no connection while it waits (at least once, as EXPRESS is).
        return integrations.outward(task) ? integrations.call(task) : jdbi.inTransaction(h -> integrations.call(task));
    }

    /** Waits on the server's clock: tests move it, and the wait is bounded by real time as well. */
    private void waitUntil(Instant due, long deadline) throws InterruptedException {
        while (clock.instant().isBefore(due)) {
            if (System.nanoTime() > deadline) {
                throw new TimedOut();
            }
            long millis = Math.min(
                    200, Math.max(1, Duration.between(clock.instant(), due).toMillis()));
            Thread.sleep(millis);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
