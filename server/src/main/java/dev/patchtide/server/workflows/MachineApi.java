package dev.patchtide.server.workflows;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.PageToken;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.workflows.MachineMessages.CreateStateMachineRequest;
import dev.patchtide.server.workflows.MachineMessages.CreateStateMachineResponse;
import dev.patchtide.server.workflows.MachineMessages.DeleteStateMachineRequest;
import dev.patchtide.server.workflows.MachineMessages.DescribeStateMachineResponse;
import dev.patchtide.server.workflows.MachineMessages.DiagnosticView;
import dev.patchtide.server.workflows.MachineMessages.ListStateMachinesResponse;
import dev.patchtide.server.workflows.MachineMessages.PageRequest;
import dev.patchtide.server.workflows.MachineMessages.StateMachineArnRequest;
import dev.patchtide.server.workflows.MachineMessages.StateMachineListItem;
import dev.patchtide.server.workflows.MachineMessages.UpdateStateMachineRequest;
import dev.patchtide.server.workflows.MachineMessages.UpdateStateMachineResponse;
import dev.patchtide.server.workflows.MachineMessages.ValidateRequest;
import dev.patchtide.server.workflows.MachineMessages.ValidateResponse;
import dev.patchtide.server.workflows.MachineStore.Machine;
import dev.patchtide.workflow.definition.Definitions;
import dev.patchtide.workflow.definition.Diagnostic;
import dev.patchtide.workflow.definition.InvalidDefinition;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** CreateStateMachine, DescribeStateMachine, ListStateMachines, UpdateStateMachine, DeleteStateMachine, Validate. */
final class MachineApi {
    private static final String LISTING = "stateMachines";
    private static final int DEFAULT_PAGE = 100;

    private final Jdbi jdbi;
    private final SfnArns arns;
    private final InstantSource clock;

    MachineApi(Jdbi jdbi, SfnArns arns, InstantSource clock) {
        this.jdbi = jdbi;
        this.arns = arns;
        this.clock = clock;
    }

    CreateStateMachineResponse create(CreateStateMachineRequest q) {
        SfnArns.requireName(q.name());
        String type = Objects.requireNonNullElse(q.type(), "STANDARD");
        parse(q.definition());
        String arn = arns.machine(q.name());
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            String revision = UUID.randomUUID().toString();
            MachineStore.insertRevision(h, revision, arn, q.definition(), q.roleArn(), now);
            if (!MachineStore.insert(
                    h, arn, q.name(), type, revision, q.loggingConfiguration(), q.tracingConfiguration(), now)) {
                // Idempotent as AWS: the same request again answers the machine it made.
                Machine existing = MachineStore.find(h, arn, true).orElseThrow(() -> alreadyExists(arn));
                if (!existing.definition().equals(q.definition())
                        || !existing.roleArn().equals(q.roleArn())
                        || !existing.type().equals(type)
                        || "DELETING".equals(existing.status())) {
                    throw alreadyExists(arn);
                }
                h.createUpdate("DELETE FROM sfn_revisions WHERE revision_id = :id")
                        .bind("id", revision)
                        .execute();
                return new CreateStateMachineResponse(arn, existing.createdAt(), null);
            }
            Tags.put(h, arn, q.tags());
            String version = Boolean.TRUE.equals(q.publish())
                    ? arns.version(arn, MachineStore.publish(h, arn, q.versionDescription(), now))
                    : null;
            return new CreateStateMachineResponse(arn, now, version);
        });
    }

    DescribeStateMachineResponse describe(StateMachineArnRequest q) {
        Machine m = jdbi.withHandle(h -> find(h, q.stateMachineArn()));
        boolean metadataOnly = "METADATA_ONLY".equals(q.includedData());
        return new DescribeStateMachineResponse(
                m.version().map(v -> arns.version(m.arn(), v)).orElse(m.arn()),
                m.name(),
                m.status(),
                metadataOnly ? null : m.definition(),
                m.roleArn(),
                m.type(),
                m.createdAt(),
                m.logging() == null ? defaultLogging() : m.logging(),
                m.tracing() == null ? defaultTracing() : m.tracing(),
                m.revisionId(),
                m.version().isPresent() && !m.description().isEmpty() ? m.description() : null);
    }

    private static com.fasterxml.jackson.databind.JsonNode defaultLogging() {
        return dev.patchtide.server.api.ApiJson.documents()
                .createObjectNode()
                .put("level", "OFF")
                .put("includeExecutionData", false);
    }

    private static com.fasterxml.jackson.databind.JsonNode defaultTracing() {
        return dev.patchtide.server.api.ApiJson.documents().createObjectNode().put("enabled", false);
    }

    /** The machine (or version) an ARN names, or StateMachineDoesNotExist. */
    Machine find(Handle h, String arn) {
        SfnArns.MachineRef ref = arns.machineRef(arn);
        Optional<Machine> found = ref.version().isPresent()
                ? MachineStore.findVersion(h, ref.machineArn(), ref.version().get())
                : MachineStore.find(h, ref.machineArn(), false);
        return found.orElseThrow(() -> doesNotExist(arn));
    }

    ListStateMachinesResponse list(PageRequest q) {
        int page = q.maxResults() == null || q.maxResults() == 0 ? DEFAULT_PAGE : q.maxResults();
        String after = PageToken.decode(LISTING, q.nextToken()).orElse("");
        List<Machine> rows = jdbi.withHandle(h -> MachineStore.page(h, after, page + 1));
        List<StateMachineListItem> items = rows.stream()
                .limit(page)
                .map(m -> new StateMachineListItem(m.arn(), m.name(), m.type(), m.createdAt()))
                .toList();
        String next = rows.size() > page
                ? PageToken.encode(LISTING, rows.get(page - 1).name())
                : null;
        return new ListStateMachinesResponse(items, next);
    }

    UpdateStateMachineResponse update(UpdateStateMachineRequest q) {
        SfnArns.MachineRef ref = arns.machineRef(q.stateMachineArn());
        if (ref.version().isPresent()) {
            throw SfnArns.invalidArn(q.stateMachineArn());
        }
        if (q.definition() == null
                && q.roleArn() == null
                && q.loggingConfiguration() == null
                && q.tracingConfiguration() == null
                && !Boolean.TRUE.equals(q.publish())) {
            throw new ApiException.Invalid(
                    "MissingRequiredParameter",
                    "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must"
                            + " be specified");
        }
        if (q.definition() != null) {
            parse(q.definition());
        }
        Instant now = clock.instant();
        return jdbi.inTransaction(h -> {
            Machine m =
                    MachineStore.find(h, ref.machineArn(), true).orElseThrow(() -> doesNotExist(q.stateMachineArn()));
            if ("DELETING".equals(m.status())) {
                throw new ApiException.Conflict(
                        "StateMachineDeleting", "State machine is being deleted: '" + m.arn() + "'");
            }
            String definition = Objects.requireNonNullElse(q.definition(), m.definition());
            String role = Objects.requireNonNullElse(q.roleArn(), m.roleArn());
            String revision = m.revisionId();
            if (!definition.equals(m.definition()) || !role.equals(m.roleArn())) {
                revision = UUID.randomUUID().toString();
                MachineStore.insertRevision(h, revision, m.arn(), definition, role, now);
                MachineStore.setRevision(h, m.arn(), revision, now);
            }
            if (q.loggingConfiguration() != null || q.tracingConfiguration() != null) {
                h.createUpdate("UPDATE sfn_machines SET logging = COALESCE(CAST(:logging AS jsonb), logging),"
                                + " tracing = COALESCE(CAST(:tracing AS jsonb), tracing), updated_at = :at"
                                + " WHERE arn = :arn")
                        .bind("logging", Objects.toString(q.loggingConfiguration(), null))
                        .bind("tracing", Objects.toString(q.tracingConfiguration(), null))
                        .bind("at", java.sql.Timestamp.from(now))
                        .bind("arn", m.arn())
                        .execute();
            }
            String version = Boolean.TRUE.equals(q.publish())
                    ? arns.version(m.arn(), MachineStore.publish(h, m.arn(), q.versionDescription(), now))
                    : null;
            return new UpdateStateMachineResponse(now, revision, version);
        });
    }

    void delete(DeleteStateMachineRequest q) {
        SfnArns.MachineRef ref = arns.machineRef(q.stateMachineArn());
        jdbi.useTransaction(h -> {
            if (ref.version().isPresent()) {
                h.createUpdate("DELETE FROM sfn_versions WHERE machine_arn = :arn AND version = :v")
                        .bind("arn", ref.machineArn())
                        .bind("v", ref.version().get())
                        .execute();
                return;
            }
            // As AWS: deleting what does not exist succeeds; running executions finish first.
            if (MachineStore.find(h, ref.machineArn(), true).isEmpty()) {
                return;
            }
            if (MachineStore.hasRunning(h, ref.machineArn())) {
                MachineStore.markDeleting(h, ref.machineArn());
            } else {
                MachineStore.delete(h, ref.machineArn());
            }
        });
    }

    ValidateResponse validate(ValidateRequest q) {
        List<Diagnostic> all = Definitions.validate(q.definition());
        boolean warnings = "WARNING".equals(q.severity());
        List<Diagnostic> shown = all.stream()
                .filter(d -> warnings || d.severity() == Diagnostic.Severity.ERROR)
                .toList();
        int max = q.maxResults() == null || q.maxResults() == 0 ? 100 : q.maxResults();
        boolean failed = all.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
        List<DiagnosticView> views = shown.stream()
                .limit(max)
                .map(d -> new DiagnosticView(d.severity().name(), d.code(), d.message(), d.location()))
                .toList();
        return new ValidateResponse(failed ? "FAIL" : "OK", views, shown.size() > max);
    }

    /** Parses a definition for CreateStateMachine / UpdateStateMachine, or answers InvalidDefinition as AWS. */
    static void parse(String definition) {
        try {
            Definitions.parse(definition);
        } catch (InvalidDefinition e) {
            String found = e.diagnostics().stream()
                    .map(d -> d.code() + ": " + d.message()
                            + (d.location() == null || d.location().isEmpty() ? "" : " at " + d.location()))
                    .collect(Collectors.joining(", "));
            throw new ApiException.Invalid("InvalidDefinition", "Invalid State Machine Definition: '" + found + "'");
        }
    }

    static ApiException doesNotExist(String arn) {
        return new ApiException.NotFound(
                "StateMachineDoesNotExist", "State Machine Does Not Exist: '" + Validation.clip(arn) + "'");
    }

    private static ApiException alreadyExists(String arn) {
        return new ApiException.Conflict("StateMachineAlreadyExists", "State Machine Already Exists: '" + arn + "'");
    }
}
