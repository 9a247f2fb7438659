package dev.patchtide.server.commands;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.auth.Principal;
import dev.patchtide.server.commands.CommandMessages.CancelCommandRequest;
import dev.patchtide.server.commands.CommandMessages.Command;
import dev.patchtide.server.commands.CommandMessages.GetCommandInvocationRequest;
import dev.patchtide.server.commands.CommandMessages.GetCommandInvocationResult;
import dev.patchtide.server.commands.CommandMessages.ListCommandInvocationsRequest;
import dev.patchtide.server.commands.CommandMessages.ListCommandInvocationsResult;
import dev.patchtide.server.commands.CommandMessages.ListCommandsRequest;
import dev.patchtide.server.commands.CommandMessages.ListCommandsResult;
import dev.patchtide.server.commands.CommandMessages.SendCommandRequest;
import dev.patchtide.server.commands.CommandMessages.SendCommandResult;
import dev.patchtide.server.commands.CommandSpec.CommandTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** SendCommand, ListCommands, ListCommandInvocations, GetCommandInvocation and CancelCommand. */
final class CommandApi {
    static final int STDOUT_SHOWN = 24_000;
    static final int STDERR_SHOWN = 8_000;
    private static final int DEFAULT_PAGE = 50;
    /**
     * Whether SendCommand hands its invocations to the polls waiting on this node itself ({@link Handout}), rather
     * than leaving them to the node's deliverer after its commit (a wake-up, a look and claims of 1,000 polls). On
     * by default; off only to compare the two in the bench (bench/README.md, `deliv7`).
     */
    private static final boolean HAND_OUT_ON_SEND =
            !"false".equals(System.getProperty("patchtide.commands.handOutOnSend"));

    private final Jdbi jdbi;
    private final Launcher launcher;
    private final Views views;

    CommandApi(Jdbi jdbi, Launcher launcher, OutputLinks links) {
        this.jdbi = jdbi;
        this.launcher = launcher;
        this.views = new Views(links);
    }

    /** The instance a request acts on when it names exactly one by InstanceIds and nothing else; else null. */
    static String ownInstanceOnly(SendCommandRequest q) {
        boolean one = q.instanceIds() != null && q.instanceIds().size() == 1;
        boolean noTargets = q.targets() == null || q.targets().isEmpty();
        return one && noTargets ? q.instanceIds().getFirst() : null;
    }

    static String ownInstanceOnly(CancelCommandRequest q) {
        return q.instanceIds() != null && q.instanceIds().size() == 1
                ? q.instanceIds().getFirst()
                : null;
    }

    SendCommandResult send(SendCommandRequest q, Principal caller) {
        Timeline.mark("send.api");
        CommandSpec spec = new CommandSpec(
                q.documentName(),
                Optional.ofNullable(q.documentVersion()),
                q.parameters() == null ? Map.of() : q.parameters(),
                q.instanceIds() == null ? List.of() : q.instanceIds(),
                q.targets() == null
                        ? List.of()
                        : q.targets().stream()
                                .map(t -> new CommandTarget(t.key(), t.values() == null ? List.of() : t.values()))
                                .toList(),
                q.maxConcurrency(),
                q.maxErrors(),
                Optional.ofNullable(q.timeoutSeconds()),
                Optional.ofNullable(q.comment()),
                Optional.ofNullable(q.notificationConfig())
                        .map(n -> new CommandSpec.NotificationConfig(
                                n.notificationArn(),
                                n.notificationEvents() == null ? List.of() : n.notificationEvents(),
                                n.notificationType() == null ? "Command" : n.notificationType())),
                Optional.ofNullable(q.serviceRoleArn()));
        Launcher.OutputS3 output = new Launcher.OutputS3(
                Objects.requireNonNullElse(q.outputS3Region(), ""),
                Objects.requireNonNullElse(q.outputS3BucketName(), ""),
                Objects.requireNonNullElse(q.outputS3KeyPrefix(), ""));
        CommandRow sent = jdbi.inTransaction(h -> launcher.send(h, spec, caller, output, HAND_OUT_ON_SEND));
        Timeline.mark("send.committed");
        return new SendCommandResult(views.command(sent));
    }

    void cancel(CancelCommandRequest q) {
        UUID id = Launcher.parseId(q.commandId());
        jdbi.useTransaction(h -> launcher.cancel(h, id, q.instanceIds() == null ? List.of() : q.instanceIds()));
    }

    ListCommandsResult listCommands(ListCommandsRequest q) {
        CommandQuery query = new CommandQuery(false);
        if (q.commandId() != null) {
            query.commandId(Launcher.parseId(q.commandId()));
        }
        if (q.instanceId() != null) {
            query.instance(q.instanceId());
        }
        query.filters(q.filters() == null ? List.of() : q.filters(), q.instanceId() != null);
        int page = Objects.requireNonNullElse(q.maxResults(), DEFAULT_PAGE);
        PageToken.decode("commands", q.nextToken()).ifPresent(query::after);
        List<CommandRow> rows = jdbi.withHandle(h -> query.commands(h, page + 1));
        List<Command> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(page, rows.size()); i++) {
            shown.add(views.command(rows.get(i)));
        }
        String next = rows.size() > page ? PageToken.encode("commands", CommandQuery.key(rows.get(page - 1))) : null;
        return new ListCommandsResult(shown, next);
    }

    ListCommandInvocationsResult listInvocations(ListCommandInvocationsRequest q) {
        CommandQuery query = new CommandQuery(true);
        if (q.commandId() != null) {
            query.commandId(Launcher.parseId(q.commandId()));
        }
        if (q.instanceId() != null) {
            query.instance(q.instanceId());
        }
        query.filters(q.filters() == null ? List.of() : q.filters(), false);
        int page = Objects.requireNonNullElse(q.maxResults(), DEFAULT_PAGE);
        PageToken.decode("invocations", q.nextToken()).ifPresent(query::after);
        boolean details = Boolean.TRUE.equals(q.details());
        List<CommandQuery.InvocationRow> rows = jdbi.withHandle(h -> query.invocations(h, page + 1));
        List<CommandMessages.CommandInvocation> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(page, rows.size()); i++) {
            shown.add(views.invocation(rows.get(i), details));
        }
        String next = rows.size() > page ? PageToken.encode("invocations", CommandQuery.key(rows.get(page - 1))) : null;
        return new ListCommandInvocationsResult(shown, next);
    }

    GetCommandInvocationResult getInvocation(GetCommandInvocationRequest q) {
        UUID id = Launcher.parseId(q.commandId());
        CommandQuery query = new CommandQuery(true);
        query.commandId(id);
        query.instance(q.instanceId());
        CommandQuery.InvocationRow row = jdbi.withHandle(h -> query.invocations(h, 1)).stream()
                .findFirst()
                .orElseThrow(() -> {
                    boolean exists = jdbi.withHandle(h -> CommandRow.find(h, id).isPresent());
                    return exists
                            ? new ApiException.NotFound(
                                    "InvocationDoesNotExist",
                                    "Command " + q.commandId() + " was not sent to " + Validation.clip(q.instanceId())
                                            + ".")
                            : Launcher.invalidCommandId(q.commandId());
                });
        return views.get(row, Optional.ofNullable(q.pluginName()));
    }

    static String iso(Instant at) {
        return at == null ? "" : at.toString();
    }

    static String elapsed(Instant start, Instant end) {
        return start == null || end == null ? "" : Duration.between(start, end).toString();
    }
}
