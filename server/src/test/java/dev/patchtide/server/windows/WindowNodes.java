package dev.patchtide.server.windows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.auth.Principal;
import dev.patchtide.server.commands.CommandLauncher;
import dev.patchtide.server.commands.CommandListener.CommandChange;
import dev.patchtide.server.commands.CommandListener.InvocationChange;
import dev.patchtide.server.commands.CommandSpec;
import dev.patchtide.server.fleet.TagApi;
import dev.patchtide.server.fleet.TagStore;
import dev.patchtide.server.testing.MutableClock;
import dev.patchtide.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Two window nodes over one real server's database, driven round by round, with a launcher standing in for
 * the commands feature at its contract ({@link CommandLauncher}, {@link dev.patchtide.server.commands.CommandListener}):
 * it records what was sent and cancelled, and the test reports command outcomes as the commands feature would.
 * The server's own window loop is stopped so only these nodes act.
 */
final class WindowNodes implements AutoCloseable {
    /** Commands for this document are refused as SendCommand would refuse a bad document. */
    static final String REFUSED_DOCUMENT = "No-Such-Document";
    /** Commands for this document end (Failed) inside the send, before the task knows its command id. */
    static final String ENDS_AT_ONCE = "Ends-At-Once";

    record Sent(String commandId, CommandSpec spec) {}

    final MutableClock clock;
    final TestServer server;
    final List<MaintenanceWindows> nodes = new ArrayList<>();
    final List<Sent> sent = new CopyOnWriteArrayList<>();
    final List<String> cancelled = new CopyOnWriteArrayList<>();

    /** Each node's stand-in, telling that node's listener (as each node's commands feature would). */
    private CommandLauncher launcher(int node) {
        return new CommandLauncher() {
            @Override
            public String send(Handle handle, CommandSpec spec, Principal requestedBy) {
                if (spec.documentName().equals(REFUSED_DOCUMENT)) {
                    throw new ApiException.Invalid(
                            "InvalidDocument", "Document " + spec.documentName() + " does not exist.");
                }
                String id = UUID.randomUUID().toString();
                sent.add(new Sent(id, spec));
                if (spec.documentName().equals(ENDS_AT_ONCE)) {
                    // A command with no instance to run on ends while it is being sent.
                    nodes.get(node).listener().commandChanged(handle, change(id, "Failed"));
                }
                return id;
            }

            @Override
            public void cancel(Handle handle, String commandId) {
                cancelled.add(commandId);
            }
        };
    }

    private CommandChange change(String commandId, String status) {
        return new CommandChange(
                commandId,
                "AWS-RunShellScript",
                status,
                status,
                List.of(),
                Map.of(),
                clock.instant(),
                clock.instant(),
                Optional.empty(),
                clock.instant());
    }

    WindowNodes(MutableClock clock) {
        this.clock = clock;
        this.server = TestServer.start(clock);
        server.node().windows().close();
        for (int i = 0; i < 2; i++) {
            CommandLauncher launcher = launcher(i);
            nodes.add(new MaintenanceWindows(
                    jdbi(),
                    clock,
                    server.node().events().publisher(),
                    new TagApi(jdbi(), new TagStore()),
                    () -> launcher));
        }
    }

    Jdbi jdbi() {
        return server.database().jdbi();
    }

    /** One round on every node. */
    void round() {
        nodes.forEach(MaintenanceWindows::round);
    }

    /** Rounds until nothing changes (bounded: a loop that never settles fails the test). */
    void settle() {
        for (int i = 0; i < 20; i++) {
            boolean busy = false;
            for (MaintenanceWindows n : nodes) {
                busy |= n.round();
            }
            if (!busy) {
                return;
            }
        }
        throw new AssertionError("window nodes did not settle");
    }

    /** The command a window's task sent: tasks name distinct documents, windows put their id in the comment. */
    String commandOf(String windowId, String document) {
        return sent.stream()
                .filter(s -> s.spec().documentName().equals(document)
                        && s.spec().comment().orElse("").contains(windowId))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError(document + " of " + windowId + " was never sent"))
                .commandId();
    }

    Sent lastSent() {
        assertThat(sent).isNotEmpty();
        return sent.get(sent.size() - 1);
    }

    /** Reports a command's status (and one invocation on {@code instanceId}) as the commands feature would. */
    void report(String commandId, String status, String instanceId) {
        jdbi().useTransaction(h -> {
            for (MaintenanceWindows n : nodes.subList(0, 1)) {
                n.listener()
                        .invocationChanged(
                                h,
                                new InvocationChange(
                                        commandId,
                                        instanceId,
                                        "AWS-RunShellScript",
                                        status,
                                        status,
                                        clock.instant(),
                                        Optional.empty(),
                                        clock.instant()));
                n.listener()
                        .commandChanged(
                                h,
                                new CommandChange(
                                        commandId,
                                        "AWS-RunShellScript",
                                        status,
                                        status,
                                        List.of(instanceId),
                                        Map.of(),
                                        clock.instant(),
                                        clock.instant(),
                                        Optional.empty(),
                                        clock.instant()));
            }
        });
    }

    String executionStatus(String executionId) {
        return jdbi().withHandle(h -> h.createQuery(
                        "SELECT status FROM maintenance_window_executions WHERE window_execution_id = :id::uuid")
                .bind("id", executionId)
                .mapTo(String.class)
                .one());
    }

    List<String> taskStatuses(String executionId) {
        return jdbi().withHandle(h -> h.createQuery("SELECT status FROM maintenance_window_task_executions"
                        + " WHERE window_execution_id = :id::uuid ORDER BY priority, task_execution_id")
                .bind("id", executionId)
                .mapTo(String.class)
                .list());
    }

    @Override
    public void close() {
        nodes.forEach(MaintenanceWindows::close);
        server.close();
    }
}
