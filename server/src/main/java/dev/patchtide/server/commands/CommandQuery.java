package dev.patchtide.server.commands;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.commands.CommandMessages.CommandFilter;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** The WHERE clause of ListCommands and ListCommandInvocations, built from their members and filters. */
final class CommandQuery {
    private final boolean invocations;
    private final StringBuilder where = new StringBuilder("TRUE");
    private final Map<String, Object> binds = new HashMap<>();

    CommandQuery(boolean invocations) {
        this.invocations = invocations;
    }

    /** One invocation with its command, as listed. */
    record InvocationRow(
            CommandRow command,
            String instanceId,
            String instanceName,
            InvocationState state,
            int responseCode,
            Instant executionStart,
            Instant executionEnd,
            String standardOutput,
            String standardError,
            String plugins) {}

    void commandId(UUID id) {
        where.append(" AND c.command_id = :commandId");
        binds.put("commandId", id);
    }

    void instance(String instanceId) {
        where.append(
                invocations
                        ? " AND i.instance_id = :instance"
                        : " AND EXISTS (SELECT 1 FROM command_invocations x WHERE x.command_id = c.command_id"
                                + " AND x.instance_id = :instance)");
        binds.put("instance", instanceId);
    }

    void filters(List<CommandFilter> filters, boolean instanceGiven) {
        for (int n = 0; n < filters.size(); n++) {
            CommandFilter f = filters.get(n);
            String value = f.value();
            switch (f.key()) {
                case "InvokedAfter" -> {
                    where.append(" AND c.requested_at >= :after").append(n);
                    binds.put("after" + n, time(value));
                }
                case "InvokedBefore" -> {
                    where.append(" AND c.requested_at <= :before").append(n);
                    binds.put("before" + n, time(value));
                }
                case "DocumentName" -> {
                    where.append(" AND c.document_name = :document").append(n);
                    binds.put("document" + n, value);
                }
                case "ExecutionStage" -> {
                    if (invocations) {
                        throw new ApiException.Invalid(
                                "InvalidFilterKey", "The ExecutionStage filter is for ListCommands only.");
                    }
                    boolean executing =
                            switch (value) {
                                case "Executing" -> true;
                                case "Complete" -> false;
                                default -> throw badValue(f);
                            };
                    where.append(
                            executing
                                    ? " AND c.state IN ('PENDING', 'IN_PROGRESS', 'CANCELLING')"
                                    : " AND c.state NOT IN ('PENDING', 'IN_PROGRESS', 'CANCELLING')");
                }
                case "Status" -> {
                    if (instanceGiven && value.equals("Pending")) {
                        throw new ApiException.Invalid(
                                "InvalidFilterValue",
                                "InstanceId cannot be combined with Status Pending: the command has not reached"
                                        + " the managed node yet.");
                    }
                    Set<? extends Enum<?>> states = invocations ? invocationStates(f) : commandStates(f);
                    String column = invocations ? "i.state" : "c.state";
                    if (states.isEmpty()) {
                        where.append(" AND FALSE");
                    } else {
                        where.append(" AND ")
                                .append(column)
                                .append(" = ANY(:states")
                                .append(n)
                                .append(')');
                        binds.put("states" + n, states.stream().map(Enum::name).toArray(String[]::new));
                    }
                }
                default -> throw new ApiException.Invalid("InvalidFilterKey", "Unknown filter key " + f.key());
            }
        }
    }

    /** Continues after the item whose {@link #key} the page token carries. */
    void after(String key) {
        String[] parts = key.split("\\|", 3);
        try {
            binds.put("pageTime", Instant.ofEpochMilli(Long.parseLong(parts[0])));
            binds.put("pageCommand", UUID.fromString(parts[1]));
        } catch (RuntimeException e) {
            throw new ApiException.Invalid("InvalidNextToken", "The specified token isn't valid.");
        }
        String sameCommand = "(c.requested_at = :pageTime AND c.command_id = :pageCommand)";
        String before = "c.requested_at < :pageTime OR (c.requested_at = :pageTime AND c.command_id < :pageCommand)";
        if (invocations && parts.length == 3) {
            binds.put("pageInstance", parts[2]);
            where.append(" AND (")
                    .append(before)
                    .append(" OR (")
                    .append(sameCommand)
                    .append(" AND i.instance_id > :pageInstance))");
        } else {
            where.append(" AND (").append(before).append(')');
        }
    }

    static String key(CommandRow c) {
        return c.requestedAt().toEpochMilli() + "|" + c.commandId();
    }

    static String key(InvocationRow i) {
        return key(i.command()) + "|" + i.instanceId();
    }

    List<CommandRow> commands(Handle handle, int limit) {
        var query = handle.createQuery("SELECT c.* FROM commands c WHERE " + where
                + " ORDER BY c.requested_at DESC, c.command_id DESC LIMIT :limit");
        binds.forEach(query::bind);
        return query.bind("limit", limit).map((rs, ctx) -> CommandRow.read(rs)).list();
    }

    List<InvocationRow> invocations(Handle handle, int limit) {
        var query = handle.createQuery("SELECT c.*, i.instance_id AS inv_instance, i.instance_name AS inv_name,"
                + " i.state AS inv_state, i.response_code AS inv_code, i.execution_start AS inv_start,"
                + " i.execution_end AS inv_end, i.standard_output AS inv_stdout, i.standard_error AS inv_stderr,"
                + " i.plugins AS inv_plugins FROM command_invocations i JOIN commands c ON c.command_id = i.command_id"
                + " WHERE " + where + " ORDER BY c.requested_at DESC, c.command_id DESC, i.instance_id LIMIT :limit");
        binds.forEach(query::bind);
        return query.bind("limit", limit)
                .map((rs, ctx) -> new InvocationRow(
                        CommandRow.read(rs),
                        rs.getString("inv_instance"),
                        rs.getString("inv_name"),
                        InvocationState.valueOf(rs.getString("inv_state")),
                        rs.getInt("inv_code"),
                        instant(rs.getTimestamp("inv_start")),
                        instant(rs.getTimestamp("inv_end")),
                        rs.getString("inv_stdout"),
                        rs.getString("inv_stderr"),
                        rs.getString("inv_plugins")))
                .list();
    }

    private static Instant instant(java.sql.Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Set<CommandState> commandStates(CommandFilter f) {
        return switch (f.value()) {
            case "Pending" -> EnumSet.of(CommandState.PENDING);
            case "InProgress" -> EnumSet.of(CommandState.IN_PROGRESS);
            case "Cancelling" -> EnumSet.of(CommandState.CANCELLING);
            case "Success" -> EnumSet.of(CommandState.SUCCESS);
            case "Cancelled" -> EnumSet.of(CommandState.CANCELLED);
            case "Failed" -> EnumSet.of(CommandState.FAILED);
            case "Incomplete" -> EnumSet.of(CommandState.INCOMPLETE);
            case "TimedOut" -> EnumSet.of(CommandState.DELIVERY_TIMED_OUT, CommandState.EXECUTION_TIMED_OUT);
            case "DeliveryTimedOut" -> EnumSet.of(CommandState.DELIVERY_TIMED_OUT);
            case "ExecutionTimedOut" -> EnumSet.of(CommandState.EXECUTION_TIMED_OUT);
            case "AccessDenied", "NoInstancesInTag", "LimitExceeded" -> EnumSet.noneOf(CommandState.class);
            default -> throw badValue(f);
        };
    }

    private static Set<InvocationState> invocationStates(CommandFilter f) {
        return switch (f.value()) {
            case "Pending" -> EnumSet.of(InvocationState.QUEUED, InvocationState.RELEASED);
            case "InProgress" -> EnumSet.of(InvocationState.DELIVERED);
            case "Cancelling" -> EnumSet.of(InvocationState.CANCELLING);
            case "Success" -> EnumSet.of(InvocationState.SUCCESS);
            case "Cancelled" -> EnumSet.of(InvocationState.CANCELLED);
            case "Failed" -> EnumSet.of(InvocationState.FAILED);
            case "TimedOut" -> EnumSet.of(InvocationState.DELIVERY_TIMED_OUT, InvocationState.EXECUTION_TIMED_OUT);
            case "DeliveryTimedOut" -> EnumSet.of(InvocationState.DELIVERY_TIMED_OUT);
            case "ExecutionTimedOut" -> EnumSet.of(InvocationState.EXECUTION_TIMED_OUT);
            case "Undeliverable" -> EnumSet.of(InvocationState.UNDELIVERABLE);
            case "Terminated" -> EnumSet.of(InvocationState.TERMINATED);
            case "Delayed", "AccessDenied", "InvalidPlatform" -> EnumSet.noneOf(InvocationState.class);
            default -> throw badValue(f);
        };
    }

    private static Instant time(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException again) {
                throw new ApiException.Invalid(
                        "InvalidFilterValue", "Filter value " + Validation.clip(value) + " is not a timestamp.");
            }
        }
    }

    private static ApiException badValue(CommandFilter f) {
        return new ApiException.Invalid(
                "InvalidFilterValue",
                "Filter " + f.key() + " does not take the value " + Validation.clip(f.value()) + ".");
    }
}
