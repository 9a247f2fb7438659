package dev.patchtide.server.workflows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.ApiJson;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.workflows.ExecutionMessages.DataDetails;
import dev.patchtide.server.workflows.ExecutionMessages.DescribeExecutionResponse;
import dev.patchtide.server.workflows.ExecutionMessages.ExecutionArnRequest;
import dev.patchtide.server.workflows.ExecutionMessages.ExecutionListItem;
import dev.patchtide.server.workflows.ExecutionMessages.GetExecutionHistoryRequest;
import dev.patchtide.server.workflows.ExecutionMessages.ListExecutionsRequest;
import dev.patchtide.server.workflows.ExecutionMessages.ListExecutionsResponse;
import dev.patchtide.server.workflows.ExecutionMessages.StartExecutionRequest;
import dev.patchtide.server.workflows.ExecutionMessages.StartExecutionResponse;
import dev.patchtide.server.workflows.ExecutionMessages.StartSyncExecutionResponse;
import dev.patchtide.server.workflows.ExecutionMessages.StopExecutionRequest;
import dev.patchtide.server.workflows.ExecutionMessages.StopExecutionResponse;
import dev.patchtide.server.workflows.MachineStore.Machine;
import dev.patchtide.workflow.run.Signal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory and StopExecution. */
final class ExecutionApi {
    private static final String EXECUTIONS = "executions";
    private static final String HISTORY = "history";
    private static final int DEFAULT_PAGE = 100;

    private final Jdbi jdbi;
    private final MachineApi machines;
    private final Host host;
    private final ExpressRunner express;
    private final InstantSource clock;

    ExecutionApi(Jdbi jdbi, MachineApi machines, Host host, ExpressRunner express, InstantSource clock) {
        this.jdbi = jdbi;
        this.machines = machines;
        this.host = host;
        this.express = express;
        this.clock = clock;
    }

    StartExecutionResponse start(StartExecutionRequest q) {
        String name = q.name() == null ? UUID.randomUUID().toString() : q.name();
        SfnArns.requireName(name);
        String input = q.input() == null ? "{}" : q.input();
        JsonNode inputJson = parseInput(input);
        Machine machine = jdbi.withHandle(h -> machines.find(h, q.stateMachineArn()));
        requireActive(machine);
        if (machine.type().equals("EXPRESS")) {
            return express.startAsync(machine, name, inputJson);
        }
        String arn = host.arns().execution(machine.name(), name);
        Instant now = clock.instant();
        String versionArn = machine.version()
                .map(v -> host.arns().version(machine.arn(), v))
                .orElse(null);
        return jdbi.inTransaction(h -> {
            boolean inserted = h.createUpdate("INSERT INTO sfn_executions (arn, machine_arn, name, revision_id,"
                                    + " version_arn, role_arn, status, input, started_at)"
                                    + " VALUES (:arn, :machine, :name, :revision, :version, :role, 'RUNNING', :input,"
                                    + " :now) ON CONFLICT DO NOTHING")
                            .bind("arn", arn)
                            .bind("machine", machine.arn())
                            .bind("name", name)
                            .bind("revision", machine.revisionId())
                            .bind("version", versionArn)
                            .bind("role", machine.roleArn())
                            .bind("input", input)
                            .bind("now", Timestamp.from(now))
                            .execute()
                    == 1;
            ExecutionRow row = ExecutionRow.find(h, arn).orElseThrow();
            if (!inserted) {
                // Idempotent as AWS: the same name and input while it runs answers the same execution.
                if (row.status() == ExecutionStatus.RUNNING && row.input().equals(input)) {
                    return new StartExecutionResponse(arn, row.startedAt());
                }
                throw new ApiException.Conflict("ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
            }
            host.start(h, row, inputJson);
            return new StartExecutionResponse(arn, now);
        });
    }

    StartSyncExecutionResponse startSync(StartExecutionRequest q) {
        String name = q.name() == null ? UUID.randomUUID().toString() : q.name();
        SfnArns.requireName(name);
        String input = q.input() == null ? "{}" : q.input();
        JsonNode inputJson = parseInput(input);
        Machine machine = jdbi.withHandle(h -> machines.find(h, q.stateMachineArn()));
        requireActive(machine);
        if (!machine.type().equals("EXPRESS")) {
            throw new ApiException.Invalid(
                    "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
        }
        return express.startSync(machine, name, input, inputJson);
    }

    static void requireActive(Machine machine) {
        if ("DELETING".equals(machine.status())) {
            throw new ApiException.Conflict(
                    "StateMachineDeleting", "State machine is being deleted: '" + machine.arn() + "'");
        }
    }

    static JsonNode parseInput(String input) {
        try {
            JsonNode node = ApiJson.documents().readTree(input);
            if (node == null || node.isMissingNode()) {
                throw new ApiException.Invalid(
                        "InvalidExecutionInput", "Invalid State Machine Execution Input: 'empty input'");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException.Invalid(
                    "InvalidExecutionInput",
                    "Invalid State Machine Execution Input: '" + Validation.clip(e.getOriginalMessage()) + "'");
        }
    }

    DescribeExecutionResponse describe(ExecutionArnRequest q) {
        ExecutionRow row = find(q.executionArn());
        boolean data = !"METADATA_ONLY".equals(q.includedData());
        boolean ended = row.status() != ExecutionStatus.RUNNING;
        return new DescribeExecutionResponse(
                row.arn(),
                row.machineArn(),
                row.name(),
                row.status().name(),
                row.startedAt(),
                row.stoppedAt(),
                data ? row.input() : null,
                new DataDetails(data),
                data ? row.output() : null,
                row.output() != null ? new DataDetails(data) : null,
                row.error(),
                row.cause(),
                row.versionArn(),
                0,
                ended ? "NOT_REDRIVABLE" : null,
                null);
    }

    private ExecutionRow find(String arn) {
        host.arns().requireExecution(arn);
        return jdbi.withHandle(h -> ExecutionRow.find(h, arn)).orElseThrow(() -> doesNotExist(arn));
    }

    static ApiException doesNotExist(String arn) {
        return new ApiException.NotFound(
                "ExecutionDoesNotExist", "Execution Does Not Exist: '" + Validation.clip(arn) + "'");
    }

    ListExecutionsResponse list(ListExecutionsRequest q) {
        if (q.stateMachineArn() == null) {
            throw ApiException.validation("Must provide a StateMachine ARN or MapRun ARN");
        }
        Machine machine = jdbi.withHandle(h -> machines.find(h, q.stateMachineArn()));
        if (machine.type().equals("EXPRESS")) {
            throw new ApiException.Invalid(
                    "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
        }
        int page = q.maxResults() == null || q.maxResults() == 0 ? DEFAULT_PAGE : q.maxResults();
        long after =
                PageToken.decode(EXECUTIONS, q.nextToken()).map(Long::parseLong).orElse(Long.MAX_VALUE);
        Optional<String> version = machine.version().map(v -> host.arns().version(machine.arn(), v));
        record Listed(ExecutionListItem item, long seq) {}
        List<Listed> rows = jdbi.withHandle(h -> h.createQuery("SELECT arn, machine_arn, name, status, started_at,"
                        + " stopped_at, version_arn, seq FROM sfn_executions WHERE machine_arn = :machine"
                        + " AND seq < :after"
                        + (q.statusFilter() == null ? "" : " AND status = :status")
                        + (version.isPresent() ? " AND version_arn = :version" : "")
                        + " ORDER BY seq DESC LIMIT :limit")
                .bind("machine", machine.arn())
                .bind("after", after)
                .bind("status", Objects.toString(q.statusFilter(), ""))
                .bind("version", version.orElse(""))
                .bind("limit", page + 1)
                .map((rs, ctx) -> new Listed(
                        new ExecutionListItem(
                                rs.getString("arn"),
                                rs.getString("machine_arn"),
                                rs.getString("name"),
                                rs.getString("status"),
                                rs.getTimestamp("started_at").toInstant(),
                                Optional.ofNullable(rs.getTimestamp("stopped_at"))
                                        .map(Timestamp::toInstant)
                                        .orElse(null),
                                rs.getString("version_arn"),
                                null),
                        rs.getLong("seq")))
                .list());
        String next = rows.size() > page
                ? PageToken.encode(EXECUTIONS, Long.toString(rows.get(page - 1).seq()))
                : null;
        return new ListExecutionsResponse(
                rows.stream().limit(page).map(Listed::item).toList(), next);
    }

    ObjectNode history(GetExecutionHistoryRequest q) {
        ExecutionRow row = find(q.executionArn());
        boolean reverse = Boolean.TRUE.equals(q.reverseOrder());
        boolean data = !Boolean.FALSE.equals(q.includeExecutionData());
        int page = q.maxResults() == null || q.maxResults() == 0 ? DEFAULT_PAGE : q.maxResults();
        long from = PageToken.decode(HISTORY + (reverse ? "-" : "+") + row.arn(), q.nextToken())
                .map(Long::parseLong)
                .orElse(reverse ? Long.MAX_VALUE : 0L);
        List<ObjectNode> events = jdbi.withHandle(h -> h.createQuery("SELECT id, previous_id, at, type, details_key,"
                        + " details FROM sfn_history WHERE execution_arn = :arn AND id "
                        + (reverse ? "<" : ">") + " :from ORDER BY id " + (reverse ? "DESC" : "ASC")
                        + " LIMIT :limit")
                .bind("arn", row.arn())
                .bind("from", from)
                .bind("limit", page + 1)
                .map((rs, ctx) -> event(
                        rs.getLong("id"),
                        rs.getLong("previous_id"),
                        rs.getTimestamp("at").toInstant(),
                        rs.getString("type"),
                        rs.getString("details_key"),
                        rs.getString("details"),
                        data))
                .list());
        ObjectNode out = ApiJson.documents().createObjectNode();
        ArrayNode list = out.putArray("events");
        events.stream().limit(page).forEach(list::add);
        if (events.size() > page) {
            out.put(
                    "nextToken",
                    PageToken.encode(
                            HISTORY + (reverse ? "-" : "+") + row.arn(),
                            events.get(page - 1).get("id").asText()));
        }
        return out;
    }

    private static ObjectNode event(
            long id, long previous, Instant at, String type, String key, String details, boolean data) {
        ObjectNode e = ApiJson.documents().createObjectNode();
        e.put("timestamp", new java.math.BigDecimal(at.toEpochMilli()).movePointLeft(3));
        e.put("type", type);
        e.put("id", id);
        e.put("previousEventId", previous);
        if (key != null && details != null) {
            try {
                ObjectNode d = (ObjectNode) ApiJson.documents().readTree(details);
                if (!data) {
                    d.remove(List.of("input", "output"));
                }
                e.set(key, d);
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("unreadable history event " + id, ex);
            }
        }
        return e;
    }

    StopExecutionResponse stop(StopExecutionRequest q) {
        host.arns().requireExecution(q.executionArn());
        return jdbi.inTransaction(h -> {
            ExecutionRow row = ExecutionRow.lock(h, q.executionArn()).orElseThrow(() -> doesNotExist(q.executionArn()));
            if (row.status() == ExecutionStatus.RUNNING) {
                host.signal(h, row.arn(), new Signal.Stop(q.error(), q.cause()));
            }
            ExecutionRow after = ExecutionRow.find(h, row.arn()).orElseThrow();
            return new StopExecutionResponse(after.stoppedAt() == null ? clock.instant() : after.stoppedAt());
        });
    }
}
