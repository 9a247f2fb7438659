package dev.patchtide.server.commands;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.auth.Principal;
import dev.patchtide.server.commands.CommandMessages.NotificationConfig;
import dev.patchtide.server.commands.CommandMessages.Target;
import dev.patchtide.server.documents.DocumentResolver;
import dev.patchtide.server.documents.DocumentResolver.ResolvedDocument;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** SendCommand and CancelCommand inside a caller's transaction: for the API and for other features alike. */
final class Launcher implements CommandLauncher {
    /** SendCommand's TimeoutSeconds when not given. */
    static final int DEFAULT_TIMEOUT_SECONDS = 3600;
    /** A document's executionTimeout parameter when it has none (AWS-RunShellScript's default). */
    static final int DEFAULT_EXECUTION_TIMEOUT = 3600;

    static final int MAX_EXECUTION_TIMEOUT = 172_800;

    private final DocumentResolver documents;
    private final Progress progress;
    private final Wakeups wakeups;
    private final Handout handout;
    private final PendingChanges pending;
    private final Settler settler;

    Launcher(
            DocumentResolver documents,
            Progress progress,
            Wakeups wakeups,
            Handout handout,
            PendingChanges pending,
            Settler settler) {
        this.documents = documents;
        this.progress = progress;
        this.wakeups = wakeups;
        this.handout = handout;
        this.pending = pending;
        this.settler = settler;
    }

    /** SendCommand's members that only the API carries. */
    record OutputS3(String region, String bucketName, String keyPrefix) {
        static final OutputS3 NONE = new OutputS3("", "", "");
    }

    @Override
    public String send(Handle handle, CommandSpec spec, Principal requestedBy) {
        return send(handle, spec, requestedBy, OutputS3.NONE, false).commandId().toString();
    }

    /**
     * @param handOutHere hand the released invocations to the polls waiting on this node by this transaction's own
     *     insert ({@link Handout}); only for a transaction that commits at once (SendCommand's own), since those
     *     polls are held until it ends
     */
    CommandRow send(Handle handle, CommandSpec spec, Principal requestedBy, OutputS3 output, boolean handOutHere) {
        List<String> ids = spec.instanceIds() == null ? List.of() : spec.instanceIds();
        List<CommandSpec.CommandTarget> targets = spec.targets() == null ? List.of() : spec.targets();
        checkSpec(spec);
        spec.notificationConfig()
                .ifPresent(config -> CommandNotifications.validate(handle, config, "notificationConfig"));
        Timeline.mark("send.begin");
        Map<String, String> instances = Targeting.resolve(handle, ids, targets);
        Timeline.mark("send.targets", instances.size());
        ResolvedDocument document = documents.resolve(
                handle,
                spec.documentName(),
                spec.documentVersion(),
                spec.parameters() == null ? Map.of() : spec.parameters());
        Timeline.mark("send.document");
        int executionTimeout = executionTimeout(document.parameters());
        String maxConcurrency = spec.maxConcurrency() == null ? RateLimits.DEFAULT_CONCURRENCY : spec.maxConcurrency();
        String maxErrors = spec.maxErrors() == null ? RateLimits.DEFAULT_ERRORS : spec.maxErrors();
        RateLimits limits = RateLimits.of(maxConcurrency, maxErrors, instances.size());
        int timeout = spec.timeoutSeconds().orElse(DEFAULT_TIMEOUT_SECONDS);
        Instant now = progress.now();
        UUID commandId = UUID.randomUUID();
        List<Target> echoedTargets =
                targets.stream().map(t -> new Target(t.key(), t.values())).toList();
        handle.createUpdate("INSERT INTO commands (command_id, document_name, document_version, parameters, plan,"
                        + " instance_ids, targets, comment, requested_at, delivery_deadline, expires_after,"
                        + " timeout_seconds, execution_timeout_s, max_concurrency, max_errors, concurrency_limit,"
                        + " error_limit, state, target_count, queued_count, notification_config, service_role_arn,"
                        + " output_s3_region, output_s3_bucket_name, output_s3_key_prefix, requested_by, changed_at)"
                        + " VALUES (:id, :document, :version, CAST(:parameters AS jsonb), CAST(:plan AS jsonb),"
                        + " :instanceIds, CAST(:targets AS jsonb), :comment, :now, :deadline, :expires, :timeout,"
                        + " :executionTimeout, :maxConcurrency, :maxErrors, :concurrency, :errors, :state, :count,"
                        + " :count, CAST(:notification AS jsonb), :role, :s3Region, :s3Bucket, :s3Prefix, :by, :now)")
                .bind("id", commandId)
                .bind("document", document.name())
                .bind("version", document.documentVersion())
                .bind("parameters", CommandRow.toJson(document.parameters()))
                .bind("plan", CommandRow.toJson(document.plan()))
                .bindArray("instanceIds", String.class, ids)
                .bind("targets", CommandRow.toJson(echoedTargets))
                .bind("comment", spec.comment().orElse(""))
                .bind("now", now)
                .bind("deadline", now.plusSeconds(timeout))
                .bind("expires", now.plusSeconds(timeout).plusSeconds(executionTimeout))
                .bind("timeout", timeout)
                .bind("executionTimeout", executionTimeout)
                .bind("maxConcurrency", maxConcurrency)
                .bind("maxErrors", maxErrors)
                .bind("concurrency", limits.concurrency())
                .bind("errors", limits.errors())
                .bind("state", (instances.isEmpty() ? CommandState.SUCCESS : CommandState.PENDING).name())
                .bind("count", instances.size())
                .bind(
                        "notification",
                        spec.notificationConfig()
                                .map(n -> CommandRow.toJson(new NotificationConfig(
                                        n.notificationArn(), n.notificationEvents(), n.notificationType())))
                                .orElse(null))
                .bind("role", spec.serviceRoleArn().orElse(""))
                .bind("s3Region", output.region())
                .bind("s3Bucket", output.bucketName())
                .bind("s3Prefix", output.keyPrefix())
                .bind("by", requestedBy.accessKeyId())
                .execute();
        Timeline.mark("send.command-row");
        CommandRow created = CommandRow.lock(handle, commandId).orElseThrow();
        List<String> released = List.of();
        Handout.Reservation handedOut = null;
        Boolean[] handedHere = null;
        String[] instanceIds = instances.keySet().toArray(String[]::new);
        boolean deferred = instanceIds.length >= PendingChanges.DEFER_AT_LEAST;
        if (!instances.isEmpty()) {
            // The first MaxConcurrency of them are released at once (nothing has failed yet, so rate control would
            // release exactly these); those whose agent waits here are handed out by this very insert (Handout).
            int room = Math.min(limits.concurrency(), instances.size());
            released = Arrays.asList(instanceIds).subList(0, room);
            if (handOutHere) {
                handedOut = handout.reserve(handle, created, released);
                handedHere = handedOut.handed(instanceIds);
            }
            insertInvocations(handle, created, instanceIds, instances.values().toArray(), room, handedHere, now);
        }
        Timeline.mark("send.invocation-rows");
        if (deferred) {
            // Told after the commit: the first agents need not wait for ten thousand events (PendingChanges).
            pending.defer(handle, commandId, instanceIds, handedHere, now);
        } else {
            progress.created(handle, created, Arrays.asList(instanceIds));
        }
        Timeline.mark("send.events");
        if (!released.isEmpty()) {
            InvocationState.LIFECYCLE.taken(InvocationState.QUEUED, InvocationState.RELEASED);
            Set<String> handed = handedOut == null ? Set.of() : Set.copyOf(handedOut.instances());
            // The others wake their polls, on this node or another, as usual.
            wakeups.notify(
                    handle,
                    handed.isEmpty()
                            ? released
                            : released.stream().filter(i -> !handed.contains(i)).toList());
        }
        if (handedOut != null && !handedOut.isEmpty()) {
            giveBack(handle, created, handedOut.dropGone(), deferred);
            List<String> handed = handedOut.instances();
            Timeline.mark("send.handed-out", handed.size());
            if (!handed.isEmpty()) {
                handed.forEach(
                        i -> InvocationState.LIFECYCLE.taken(InvocationState.RELEASED, InvocationState.DELIVERED));
                if (!deferred) {
                    progress.invocationsChanged(handle, created, handed, InvocationState.DELIVERED);
                }
                // The command goes InProgress in a settle of its own after the commit, as after a claim: SendCommand
                // answers Pending, as AWS does, and its agents need not wait for the command's events.
                handle.afterCommit(() -> settler.settleSoon(commandId));
                return created;
            }
        }
        CommandRow settled = progress.settle(handle, created);
        Timeline.mark("send.settled");
        return settled;
    }

    /**
     * One statement for the whole fleet (a command by tag may target tens of thousands of instances): the first
     * {@code room} released, those {@code handedHere} (by position; null: none) delivered as a claim marks them; no
     * second pass that rewrites each row.
     */
    private static void insertInvocations(
            Handle handle,
            CommandRow command,
            String[] instanceIds,
            Object[] names,
            int room,
            Boolean[] handedHere,
            Instant now) {
        InvocationState.LIFECYCLE.require(InvocationState.QUEUED, InvocationState.RELEASED);
        Boolean[] handed = handedHere;
        if (handed == null) {
            handed = new Boolean[instanceIds.length];
            Arrays.fill(handed, Boolean.FALSE);
        }
        // As a claim sets it: silent once the command expired or its execution timed out, whichever is later.
        Instant executionEnd = now.plusSeconds(command.executionTimeoutSeconds());
        Instant silentDeadline = (command.expiresAfter().isAfter(executionEnd) ? command.expiresAfter() : executionEnd)
                .plus(silentGrace());
        handle.createUpdate("INSERT INTO command_invocations (command_id, instance_id, seq, instance_name, state,"
                        + " released_at, delivered_at, execution_start, silent_deadline, changed_at)"
                        + " SELECT :id, instance, seq - 1, name,"
                        + " CASE WHEN handed THEN 'DELIVERED' WHEN seq <= :room THEN 'RELEASED' ELSE 'QUEUED' END,"
                        + " CASE WHEN seq <= :room THEN CAST(:now AS timestamptz) END,"
                        + " CASE WHEN handed THEN CAST(:now AS timestamptz) END,"
                        + " CASE WHEN handed THEN CAST(:now AS timestamptz) END,"
                        + " CASE WHEN handed THEN CAST(:silent AS timestamptz) END, :now"
                        + " FROM unnest(:instances, :names, :handed) WITH ORDINALITY AS i(instance, name, handed, seq)")
                .bind("id", command.commandId())
                .bind("now", now)
                .bind("silent", silentDeadline)
                .bind("room", room)
                .bindArray("instances", String.class, (Object[]) instanceIds)
                .bindArray("names", String.class, names)
                .bindArray("handed", Boolean.class, (Object[]) handed)
                .execute();
    }

    /**
     * The invocations of {@code gone} polls were inserted delivered and are not: they are released as the others
     * (nothing is committed yet, so nobody saw them delivered) and woken the usual way.
     */
    private void giveBack(Handle handle, CommandRow command, List<String> gone, boolean deferred) {
        if (gone.isEmpty()) {
            return;
        }
        String[] ids = gone.toArray(String[]::new);
        handle.createUpdate("UPDATE command_invocations SET state = 'RELEASED', delivered_at = NULL,"
                        + " execution_start = NULL, silent_deadline = NULL WHERE command_id = :id"
                        + " AND instance_id = ANY(:ids) AND state = 'DELIVERED'")
                .bind("id", command.commandId())
                .bindArray("ids", String.class, (Object[]) ids)
                .execute();
        if (deferred) {
            PendingChanges.handedBack(handle, command.commandId(), ids);
        }
        wakeups.notify(handle, gone);
    }

    @Override
    public void cancel(Handle handle, String commandId) {
        cancel(handle, parseId(commandId), List.of());
    }

    /** Cancels on the listed instances, or on every instance of the command when none is listed. */
    void cancel(Handle handle, UUID commandId, List<String> instanceIds) {
        CommandRow command =
                CommandRow.lock(handle, commandId).orElseThrow(() -> invalidCommandId(commandId.toString()));
        if (!instanceIds.isEmpty()) {
            List<String> known = handle.createQuery("SELECT instance_id FROM command_invocations"
                            + " WHERE command_id = :id AND instance_id = ANY(:ids)")
                    .bind("id", commandId)
                    .bindArray("ids", String.class, instanceIds)
                    .mapTo(String.class)
                    .list();
            List<String> unknown =
                    instanceIds.stream().filter(i -> !known.contains(i)).toList();
            if (!unknown.isEmpty()) {
                throw new ApiException.NotFound(
                        "InvalidInstanceId",
                        "Command " + commandId + " was not sent to " + Validation.clip(unknown) + ".");
            }
        }
        if (command.state().isFinal()) {
            return;
        }
        if (instanceIds.isEmpty()) {
            handle.createUpdate("UPDATE commands SET cancel_requested = true WHERE command_id = :id")
                    .bind("id", commandId)
                    .execute();
            command = CommandRow.lock(handle, commandId).orElseThrow();
        }
        List<String> told = new ArrayList<>();
        for (String instance :
                instanceIds.isEmpty() ? java.util.Collections.<String>singletonList(null) : instanceIds) {
            progress.move(
                    handle, command, InvocationState.QUEUED, InvocationState.CANCELLED, instance, "", "", Map.of());
            progress.move(
                    handle, command, InvocationState.RELEASED, InvocationState.CANCELLED, instance, "", "", Map.of());
            told.addAll(progress.move(
                    handle,
                    command,
                    InvocationState.DELIVERED,
                    InvocationState.CANCELLING,
                    instance,
                    "cancel_told = false",
                    "",
                    Map.of()));
        }
        wakeups.notify(handle, told);
        progress.settle(handle, command);
    }

    /** The checks SendCommand's request validation makes, for callers inside the server. */
    private static void checkSpec(CommandSpec spec) {
        Validation v = new Validation()
                .required("documentName", spec.documentName())
                .pattern("documentName", spec.documentName(), CommandMessages.DOCUMENT_ARN)
                .pattern("maxConcurrency", spec.maxConcurrency(), CommandMessages.MAX_CONCURRENCY)
                .pattern("maxErrors", spec.maxErrors(), CommandMessages.MAX_ERRORS)
                .range("timeoutSeconds", spec.timeoutSeconds().orElse(null), 30, 2_592_000)
                .length("comment", spec.comment().orElse(null), 0, 100)
                .size("instanceIds", spec.instanceIds(), 0, Targeting.MAX_INSTANCE_IDS)
                .size("targets", spec.targets(), 0, 5);
        spec.documentVersion()
                .ifPresent(version -> v.pattern("documentVersion", version, CommandMessages.DOCUMENT_VERSION));
        v.throwIfInvalid();
    }

    private static int executionTimeout(Map<String, List<String>> parameters) {
        List<String> given = parameters.get("executionTimeout");
        if (given == null || given.isEmpty()) {
            return DEFAULT_EXECUTION_TIMEOUT;
        }
        try {
            int seconds = Integer.parseInt(given.getFirst().strip());
            if (seconds >= 1 && seconds <= MAX_EXECUTION_TIMEOUT) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // refused below, naming the parameter
        }
        throw new ApiException.Invalid(
                "InvalidParameters",
                "Parameter executionTimeout must be a number of seconds from 1 to " + MAX_EXECUTION_TIMEOUT + ".");
    }

    static UUID parseId(String commandId) {
        try {
            UUID id = UUID.fromString(commandId);
            if (id.toString().equals(commandId.toLowerCase(java.util.Locale.ROOT))) {
                return id;
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw invalidCommandId(commandId);
    }

    static ApiException invalidCommandId(String commandId) {
        return new ApiException.NotFound(
                "InvalidCommandId", "Command " + Validation.clip(commandId) + " was not found.");
    }

    static Duration silentGrace() {
        return Duration.ofSeconds(60);
    }
}
