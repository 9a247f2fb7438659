package dev.patchtide.server.commands;

import dev.patchtide.server.api.Access;
import dev.patchtide.server.api.Action;
import dev.patchtide.server.api.ApiRouter;
import dev.patchtide.server.commands.AgentMessages.ReceiveCommandInvocationsRequest;
import dev.patchtide.server.commands.AgentMessages.UpdateCommandInvocationRequest;
import dev.patchtide.server.commands.CommandMessages.CancelCommandRequest;
import dev.patchtide.server.commands.CommandMessages.Empty;
import dev.patchtide.server.commands.CommandMessages.GetCommandInvocationRequest;
import dev.patchtide.server.commands.CommandMessages.ListCommandInvocationsRequest;
import dev.patchtide.server.commands.CommandMessages.ListCommandsRequest;
import dev.patchtide.server.commands.CommandMessages.SendCommandRequest;
import dev.patchtide.server.documents.DocumentResolver;
import dev.patchtide.server.fleet.DeregistrationListener;
import dev.patchtide.server.secrets.SecretBox;
import io.javalin.Javalin;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * Run Command: SendCommand and its listings, the agents' long poll and results, rate control and timeouts. The one
 * public entry of the feature: PatchtideServer wires it; other features send through {@link #launcher()} and
 * follow statuses through {@link #addListener}.
 */
public final class Commands implements AutoCloseable {
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);
    /**
     * Fault injection for tests: a node that never tells the Pending changes SendCommand deferred, as one that dies
     * right after the commit (read at {@link #start()}).
     */
    static final String NO_PENDING_LOOP = "patchtide.commands.noPendingLoop";

    private final Progress progress;
    private final Wakeups wakeups;
    private final Deliverer deliverer;
    private final Launcher launcher;
    private final PendingChanges pending;
    private final CommandApi api;
    private final AgentChannel agents;
    private final Dispatcher dispatcher;
    private final OutputLinks links;
    private volatile java.util.function.Consumer<String> polled = instanceId -> {};
    /** Fault injection for tests: refuses {@code Stream} as a server older than held streams does. */
    private volatile boolean refuseStreams;

    public Commands(
            Jdbi jdbi, DocumentResolver documents, InstantSource clock, SecretBox secrets, Supplier<URI> publicUrl) {
        this.wakeups = new Wakeups(jdbi);
        this.progress = new Progress(clock, wakeups);
        Settler settler = new Settler(jdbi, progress);
        this.deliverer = new Deliverer(jdbi, progress, settler);
        this.pending = new PendingChanges(jdbi, progress, deliverer);
        this.launcher = new Launcher(documents, progress, wakeups, new Handout(deliverer), pending, settler);
        this.links = new OutputLinks(jdbi, secrets, clock, publicUrl);
        this.api = new CommandApi(jdbi, launcher, links);
        wakeups.deliverTo(deliverer);
        this.agents = new AgentChannel(jdbi, progress, deliverer, settler);
        this.dispatcher = new Dispatcher(jdbi, progress, IDLE_POLL);
    }

    /** Sends and cancels in a caller's transaction (maintenance windows, workflows). */
    public CommandLauncher launcher() {
        return launcher;
    }

    /** Tells {@code heartbeat} of every long poll an agent makes for itself: the fleet counts it as a heartbeat. */
    public void countPollsAsHeartbeats(java.util.function.Consumer<String> heartbeat) {
        this.polled = java.util.Objects.requireNonNull(heartbeat);
    }

    /** Tells {@code listener}, inside the changing transaction, of every command and invocation status change. */
    public void addListener(CommandListener listener) {
        progress.addListener(listener);
    }

    /** Ends the undelivered invocations of an instance that is being deregistered (Undeliverable). */
    public DeregistrationListener deregistrations() {
        return (handle, instanceId) -> {
            List<java.util.UUID> open = handle.createQuery("SELECT command_id FROM command_invocations"
                            + " WHERE instance_id = :instance AND state IN ('QUEUED', 'RELEASED') ORDER BY command_id")
                    .bind("instance", instanceId)
                    .mapTo(java.util.UUID.class)
                    .list();
            for (java.util.UUID id : open) {
                CommandRow.lock(handle, id).ifPresent(command -> {
                    progress.move(
                            handle,
                            command,
                            InvocationState.QUEUED,
                            InvocationState.UNDELIVERABLE,
                            instanceId,
                            "",
                            "",
                            java.util.Map.of());
                    progress.move(
                            handle,
                            command,
                            InvocationState.RELEASED,
                            InvocationState.UNDELIVERABLE,
                            instanceId,
                            "",
                            "",
                            java.util.Map.of());
                    progress.settle(handle, command);
                });
            }
        };
    }

    public void routes(ApiRouter router) {
        router.register(new Action<>(
                "AmazonSSM.SendCommand",
                SendCommandRequest.class,
                Access.adminOrOwnInstance(CommandApi::ownInstanceOnly),
                api::send));
        router.register(new Action<>(
                "AmazonSSM.ListCommands",
                ListCommandsRequest.class,
                Access.adminOrOwnInstance(ListCommandsRequest::instanceId),
                (q, who) -> api.listCommands(q)));
        router.register(new Action<>(
                "AmazonSSM.ListCommandInvocations",
                ListCommandInvocationsRequest.class,
                Access.adminOrOwnInstance(ListCommandInvocationsRequest::instanceId),
                (q, who) -> api.listInvocations(q)));
        router.register(new Action<>(
                "AmazonSSM.GetCommandInvocation",
                GetCommandInvocationRequest.class,
                Access.adminOrOwnInstance(GetCommandInvocationRequest::instanceId),
                (q, who) -> api.getInvocation(q)));
        router.register(new Action<>(
                "AmazonSSM.CancelCommand",
                CancelCommandRequest.class,
                Access.adminOrOwnInstance(CommandApi::ownInstanceOnly),
                (q, who) -> {
                    api.cancel(q);
                    return new Empty();
                }));
        router.register(new Action<>(
                "Patchtide.ReceiveCommandInvocations",
                ReceiveCommandInvocationsRequest.class,
                Access.adminOrOwnInstance(ReceiveCommandInvocationsRequest::instanceId),
                (q, who) -> {
                    if (who instanceof dev.patchtide.server.auth.Principal.Instance) {
                        polled.accept(q.instanceId());
                    }
                    if (q.streamed() && refuseStreams) {
                        throw new dev.patchtide.server.api.ApiException.Invalid(
                                "SerializationException",
                                "Unknown member 'Stream' in ReceiveCommandInvocations request");
                    }
                    return q.streamed() ? agents.stream(q) : agents.receive(q);
                }));
        router.register(new Action<>(
                "Patchtide.UpdateCommandInvocation",
                UpdateCommandInvocationRequest.class,
                Access.adminOrOwnInstance(UpdateCommandInvocationRequest::instanceId),
                (q, who) -> {
                    agents.update(q);
                    return new Empty();
                }));
    }

    /** The GET route the output URLs point at. */
    public void webRoutes(Javalin app) {
        links.routes(app);
    }

    /** Starts listening for wake-ups and the background round; {@link #close()} stops both. */
    public Commands start() {
        deliverer.start();
        wakeups.start();
        dispatcher.loop().start();
        if (!Boolean.getBoolean(NO_PENDING_LOOP)) {
            pending.loop().start();
        }
        return this;
    }

    /** The background round, for tests that move the clock and wait for a whole round. */
    public dev.patchtide.server.background.PollingLoop dispatcher() {
        return dispatcher.loop();
    }

    /** Tests: answer {@code "Stream": true} as a server without held streams does (see the route above). */
    void refuseStreams(boolean refuse) {
        this.refuseStreams = refuse;
    }

    /** Agents' long polls waiting on this node now. */
    public int waitingAgents() {
        return deliverer.waitingCount();
    }

    @Override
    public void close() {
        pending.loop().close();
        dispatcher.loop().close();
        wakeups.close();
        deliverer.close();
    }
}
