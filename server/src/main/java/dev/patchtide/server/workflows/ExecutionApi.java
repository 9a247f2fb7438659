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
import dev.patchtide.workflow.run.Step;
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
    /** Looks at a machine updated under a start this many times before answering busy. */
    private static final int STALE_TRIES = 5;

    private final Jdbi jdbi;
    private final MachineApi machines;
    private final Host host;
    private final ExpressRunner express;
    private final InstantSource clock;
    private final KnownMachines known;
    private final StartGroups groups;

    ExecutionApi(Jdbi jdbi, MachineApi machines, Host host, ExpressRunner express, InstantSource clock) {
        this.jdbi = jdbi;
        this.machines = machines;
        this.known = new KnownMachines(jdbi, machines);
        this.groups = new StartGroups(jdbi, new StartWriter(host));
        this.host = host;
        this.express = express;
        this.clock = clock;
    }

    StartExecutionResponse start(StartExecutionRequest q) {
        String name = q.name() == null ? UUID.randomUUID().toString() : q.name();
        SfnArns.requireName(name);
        String input = q.input() == null ? "{}" : q.input();
        JsonNode inputJson = parseInput(input);
        for (int attempt = 1; ; attempt++) {
            // After a stale answer the machine changed since it was cached: look at the database again.
            Machine machine = known.find(q.stateMachineArn(), attempt > 1);
            requireActive(machine);
            if (machine.type().equals("EXPRESS")) {
                return express.startAsync(machine, name, inputJson);
            }
            Object outcome = groups.store(firstStep(machine, name, input, inputJson));
            if (outcome instanceof StartExecutionResponse started) {
                return started;
            }
            if (attempt == STALE_TRIES) {
                throw ApiException.busy();
            }
        }
    }

    /** The new execution's first step, run before anything is stored (see {@link Host#firstStep}). */
    private StartWriter.Start firstStep(Machine machine, String name, String input, JsonNode inputJson) {
        Instant now = clock.instant();
        String versionArn = machine.version()
                .map(v -> host.arns().version(machine.arn(), v))
                .orElse(null);
        // Stored at PostgreSQL's microsecond precision, so the row in memory is the row stored.
        Instant started = now.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        ExecutionRow draft = new ExecutionRow(
                host.arns().execution(machine.name(), name),
                machine.arn(),
                name,
                machine.revisionId(),
                versionArn,
                machine.roleArn(),
                ExecutionStatus.RUNNING,
                input,
                null,
                null,
                null,
                null,
                started,
                null);
        Step first = host.firstStep(jdbi, draft, inputJson);
        return new StartWriter.Start(
                draft,
                host.afterFirstStep(draft, first),
                first,
                machine.version().isPresent(),
                now);
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
        // A step's row holds at least one event, so page + 1 rows hold the page and tell whether more follow.
        List<List<ObjectNode>> steps = jdbi.withHandle(h -> h.createQuery("SELECT events, packed FROM sfn_history_steps"
                        + " WHERE execution_arn = :arn AND " + (reverse ? "first_id < :from" : "last_id > :from")
                        + " ORDER BY first_id " + (reverse ? "DESC" : "ASC") + " LIMIT :limit")
                .bind("arn", row.arn())
                .bind("from", from)
                .bind("limit", page + 1)
                .map((rs, ctx) -> {
                    byte[] packed = rs.getBytes("packed");
                    return packed != null ? PackedHistory.unpack(packed) : PackedHistory.listed(rs.getString("events"));
                })
                .list());
        List<ObjectNode> events = new java.util.ArrayList<>();
        for (List<ObjectNode> listed : steps) {
            if (reverse) {
                listed = listed.reversed();
            }
            for (ObjectNode e : listed) {
                long id = e.path("id").asLong();
                if ((reverse ? id < from : id > from) && events.size() <= page) {
                    if (!data) {
                        withoutData(e);
                    }
                    events.add(e);
                }
            }
        }
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

    /** includeExecutionData=false: the events' details without the states' input and output. */
    private static void withoutData(ObjectNode event) {
        event.properties().forEach(member -> {
            if (member.getValue() instanceof ObjectNode details) {
                details.remove(List.of("input", "output"));
            }
        });
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
