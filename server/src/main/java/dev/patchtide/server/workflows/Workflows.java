package dev.patchtide.server.workflows;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiRequest;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.background.PollingLoop;
import dev.patchtide.server.connections.ConnectionCalls;
import dev.patchtide.server.events.EventPublisher;
import dev.patchtide.server.fleet.Ec2View;
import dev.patchtide.server.workflows.ExecutionMessages.ExecutionArnRequest;
import dev.patchtide.server.workflows.ExecutionMessages.GetExecutionHistoryRequest;
import dev.patchtide.server.workflows.ExecutionMessages.ListExecutionsRequest;
import dev.patchtide.server.workflows.ExecutionMessages.SendTaskFailureRequest;
import dev.patchtide.server.workflows.ExecutionMessages.SendTaskHeartbeatRequest;
import dev.patchtide.server.workflows.ExecutionMessages.SendTaskSuccessRequest;
import dev.patchtide.server.workflows.ExecutionMessages.StartExecutionRequest;
import dev.patchtide.server.workflows.ExecutionMessages.StopExecutionRequest;
import dev.patchtide.server.workflows.MachineMessages.ActivityArnRequest;
import dev.patchtide.server.workflows.MachineMessages.CreateActivityRequest;
import dev.patchtide.server.workflows.MachineMessages.CreateStateMachineRequest;
import dev.patchtide.server.workflows.MachineMessages.DeleteStateMachineRequest;
import dev.patchtide.server.workflows.MachineMessages.Empty;
import dev.patchtide.server.workflows.MachineMessages.GetActivityTaskRequest;
import dev.patchtide.server.workflows.MachineMessages.PageRequest;
import dev.patchtide.server.workflows.MachineMessages.ResourceArnRequest;
import dev.patchtide.server.workflows.MachineMessages.StateMachineArnRequest;
import dev.patchtide.server.workflows.MachineMessages.TagResourceRequest;
import dev.patchtide.server.workflows.MachineMessages.UntagResourceRequest;
import dev.patchtide.server.workflows.MachineMessages.UpdateStateMachineRequest;
import dev.patchtide.server.workflows.MachineMessages.ValidateRequest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;

/**
 * Step Functions ({@code AWSStepFunctions.*}, JSON 1.0): state machines, activities, STANDARD executions run by a
 * durable host on the database, EXPRESS executions in memory. The one public entry of the feature: PatchtideServer
 * wires it; tests reach the effect worker through {@link #effects()} to fire timers after moving the clock.
 */
public final class Workflows implements AutoCloseable {
    /**
     * How long GetActivityTask waits for a task: AWS holds it up to 60 s, but the AWS CLI's socket read times out at
     * 60 s too and would retry an answer that came at the limit.
     */
    private static final Duration ACTIVITY_POLL = Duration.ofSeconds(55);

    private static final Duration IDLE_POLL = Duration.ofSeconds(1);

    private final MachineApi machines;
    private final ExecutionApi executions;
    private final TaskTokens tokens;
    private final Activities activities;
    private final Tags tags;
    private final EffectWorker worker;
    private final ExpressRunner express;
    private final StateMachineDeliverer deliverer;
    private final WorkflowRuns runs;
    private final CommandWaits commandWaits;
    private final Approvals approvals;
    private final OutwardCalls outward;
    private final ChildExecutions children;

    public Workflows(
            Jdbi jdbi,
            InstantSource clock,
            EventPublisher events,
            ApiRouter router,
            Ec2View ec2,
            ConnectionCalls connections,
            String region,
            String account) {
        SfnArns arns = new SfnArns(region, account);
        Engines engines = new Engines();
        ExecutionEvents executionEvents = new ExecutionEvents(events);
        Host host = new Host(engines, clock, executionEvents, arns);
        LocalCalls calls = new LocalCalls(router);
        this.commandWaits = new CommandWaits(jdbi, host, calls);
        this.tokens = new TaskTokens(jdbi, host, clock);
        this.approvals = new Approvals(jdbi, clock, calls, tokens, new ApprovalLinks());
        this.children = new ChildExecutions(jdbi, calls, clock, IDLE_POLL);
        children.attach(host);
        Integrations integrations = new Integrations(List.of(
                new SsmIntegration(calls, commandWaits),
                new ApprovalIntegration(approvals),
                new SnsIntegration(calls),
                new EventsIntegration(calls),
                new Ec2Integration(ec2),
                new StatesIntegration(calls, children),
                new HttpInvokeIntegration(connections, region),
                new LambdaIntegration(connections, region, account)));
        this.outward = new OutwardCalls(jdbi, host, integrations, clock);
        this.machines = new MachineApi(jdbi, arns, clock);
        this.express = new ExpressRunner(jdbi, engines, integrations, arns, clock);
        this.executions = new ExecutionApi(jdbi, machines, host, express, clock);
        this.activities = new Activities(jdbi, arns, host, clock, ACTIVITY_POLL);
        this.tags = new Tags(jdbi, arns);
        this.worker = new EffectWorker(jdbi, host, integrations, outward, clock, IDLE_POLL);
        host.onCommitted(worker.loop()::wake, activities::wake);
        this.deliverer = new StateMachineDeliverer(router);
        this.runs = new WorkflowRuns(jdbi, machines, executions, executionEvents);
    }

    public void routes(ApiRouter router) {
        on(router, "CreateStateMachine", CreateStateMachineRequest.class, machines::create);
        on(router, "DescribeStateMachine", StateMachineArnRequest.class, machines::describe);
        on(router, "ListStateMachines", PageRequest.class, machines::list);
        on(router, "UpdateStateMachine", UpdateStateMachineRequest.class, machines::update);
        run(router, "DeleteStateMachine", DeleteStateMachineRequest.class, machines::delete);
        on(router, "ValidateStateMachineDefinition", ValidateRequest.class, machines::validate);
        on(router, "StartExecution", StartExecutionRequest.class, executions::start);
        on(router, "StartSyncExecution", StartExecutionRequest.class, executions::startSync);
        on(router, "DescribeExecution", ExecutionArnRequest.class, executions::describe);
        on(router, "ListExecutions", ListExecutionsRequest.class, executions::list);
        on(router, "GetExecutionHistory", GetExecutionHistoryRequest.class, executions::history);
        on(router, "StopExecution", StopExecutionRequest.class, executions::stop);
        run(router, "SendTaskSuccess", SendTaskSuccessRequest.class, tokens::success);
        run(router, "SendTaskFailure", SendTaskFailureRequest.class, tokens::failure);
        run(router, "SendTaskHeartbeat", SendTaskHeartbeatRequest.class, tokens::heartbeat);
        on(router, "CreateActivity", CreateActivityRequest.class, activities::create);
        run(router, "DeleteActivity", ActivityArnRequest.class, activities::delete);
        on(router, "DescribeActivity", ActivityArnRequest.class, activities::describe);
        on(router, "ListActivities", PageRequest.class, activities::list);
        on(router, "GetActivityTask", GetActivityTaskRequest.class, activities::poll);
        run(router, "TagResource", TagResourceRequest.class, tags::tag);
        run(router, "UntagResource", UntagResourceRequest.class, tags::untag);
        on(router, "ListTagsForResource", ResourceArnRequest.class, tags::list);
    }

    private static <Q extends ApiRequest> void on(
            ApiRouter router, String action, Class<Q> type, Function<Q, Object> handler) {
        router.register(
                new Action<>("AWSStepFunctions." + action, type, Access.adminOnly(), (q, who) -> handler.apply(q)));
    }

    private static <Q extends ApiRequest> void run(
            ApiRouter router, String action, Class<Q> type, Consumer<Q> handler) {
        on(router, action, type, q -> {
            handler.accept(q);
            return new Empty();
        });
    }

    /** Starts executions for rules whose target is a state machine; PatchtideServer registers it on the outbox. */
    public dev.patchtide.server.delivery.Deliverer deliverer() {
        return deliverer;
    }

    /**
     * Serves the approve/reject links of {@code patchtide:approval.waitForTaskToken}, signed with the server key and
     * addressed at the server's public URL.
     */
    public void webRoutes(
            io.javalin.Javalin app,
            dev.patchtide.server.secrets.SecretBox secrets,
            java.util.function.Supplier<java.net.URI> publicUrl) {
        approvals.links().bind(secrets, publicUrl);
        new ApprovalPages(approvals).routes(app);
    }

    /** The loop that sends approvals' reminders and escalations when due, for tests that move the clock. */
    public PollingLoop approvals() {
        return approvals.loop();
    }

    /** Register on the commands feature: {@code sendCommand.sync} tasks end with their command. */
    public dev.patchtide.server.commands.CommandListener commandListener() {
        return commandWaits;
    }

    /** Executions for other features to start, stop and follow (window tasks). */
    public WorkflowRuns runs() {
        return runs;
    }

    /** Starts carrying out tasks and timers; {@link #close()} stops it. */
    public Workflows start() {
        worker.loop().start();
        approvals.loop().start();
        children.loop().start();
        return this;
    }

    /** The loop that carries out tasks and fires due timers, for tests that move the clock and wait a round. */
    public PollingLoop effects() {
        return worker.loop();
    }

    @Override
    public void close() {
        worker.loop().close();
        approvals.loop().close();
        children.loop().close();
        outward.close();
        express.close();
    }
}
