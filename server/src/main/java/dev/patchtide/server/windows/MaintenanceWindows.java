package dev.patchtide.server.windows;

import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.server.commands.CommandLauncher;
import dev.patchtide.server.commands.CommandListener;
import dev.patchtide.server.events.EventPublisher;
import dev.patchtide.server.fleet.TagApi;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * Maintenance windows: the SSM actions on windows, their targets, tasks and executions, and the background
 * loop that fires due windows and runs their tasks as commands. Every server node runs the loop; windows and
 * executions are claimed in the database, so each run fires on one node.
 *
 * <pre>{@code
 * MaintenanceWindows windows = new MaintenanceWindows(jdbi, clock, events.publisher(), fleet.tags(), commands::launcher);
 * windows.routes(router);
 * commands.addListener(windows.listener());
 * started.add(windows.start());
 * }</pre>
 */
public final class MaintenanceWindows implements AutoCloseable {
    /** How often the loop looks for due windows and for executions to move when nothing woke it. */
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);

    private final WindowApi windows;
    private final TargetApi targets;
    private final TaskApi tasks;
    private final ExecutionApi executions;
    private final ScheduleApi schedule;
    private final WindowScheduler scheduler;
    private final ExecutionRunner runner;
    private final TaskCommands listener;
    private final PollingLoop loop;
    private final TaskWorkflows workflowTasks;

    public MaintenanceWindows(
            Jdbi jdbi, InstantSource clock, EventPublisher publisher, TagApi tags, Supplier<CommandLauncher> commands) {
        WindowEvents events = new WindowEvents(publisher);
        this.loop = new PollingLoop("maintenance-windows", IDLE_POLL, this::round);
        Runnable wake = loop::wake;
        EarlyChanges early = new EarlyChanges();
        TaskLauncher launcher = new TaskLauncher(commands, events, new TaskTargets(), early);
        this.windows = new WindowApi(jdbi, clock, tags, events, wake);
        this.targets = new TargetApi(jdbi, clock);
        this.tasks = new TaskApi(jdbi, clock);
        this.scheduler = new WindowScheduler(jdbi, clock, events);
        this.runner = new ExecutionRunner(jdbi, clock, events, launcher);
        this.executions = new ExecutionApi(jdbi, clock, runner, wake);
        this.schedule = new ScheduleApi(jdbi, clock);
        this.listener = new TaskCommands(events, launcher, wake, early);
        launcher.replayTo(listener);
        this.workflowTasks = new TaskWorkflows(events, launcher, wake);
        launcher.workflowsBy(workflowTasks);
        tags.registerResourceType(WindowApi.RESOURCE_TYPE, WindowApi::lockForTagging);
    }

    public void routes(ApiRouter router) {
        windows.routes(router);
        targets.routes(router);
        tasks.routes(router);
        executions.routes(router);
        schedule.routes(router);
    }

    /** Register on the commands feature: task executions follow the commands their tasks sent. */
    public CommandListener listener() {
        return listener;
    }

    /** STEP_FUNCTIONS tasks start executions through {@code runs} and follow their ends. */
    public void runWorkflowsWith(dev.patchtide.server.workflows.WorkflowRuns runs) {
        workflowTasks.use(runs);
    }

    /** Starts the loop; close the returned value (or this) to stop it. */
    public MaintenanceWindows start() {
        loop.start();
        return this;
    }

    /** The background loop: tests wake it after moving the clock and count its rounds. */
    public PollingLoop loop() {
        return loop;
    }

    /** Fires what is due without moving executions along (tests catch an execution while it is PENDING). */
    int fireDue() {
        return scheduler.fireDue();
    }

    /** One round: fire what is due, then move open executions along. True when it did something. */
    boolean round() {
        int fired = scheduler.fireDue();
        int moved = runner.advance();
        return fired + moved > 0;
    }

    @Override
    public void close() {
        loop.close();
    }
}
