package dev.patchtide.server.compliance;

import dev.patchtide.server.events.EventEnvelope;
import dev.patchtide.server.events.EventPublisher;
import java.util.Locale;
import java.util.Objects;
import org.jdbi.v3.core.Handle;

/**
 * {@code aws.ssm} / {@code Configuration Compliance State Change}, with AWS's detail: {@code resource-id},
 * {@code resource-type} ({@code managed-instance}), {@code compliance-type} ({@code Patch}),
 * {@code compliance-status} ({@code compliant} or {@code non_compliant}, lower case as AWS sends it),
 * {@code patch-baseline-id} and {@code severity}. Patching's compliance listener calls {@link #publish}.
 */
public final class ComplianceEvents {
    private static final String SOURCE = "aws.ssm";
    public static final String DETAIL_TYPE = "Configuration Compliance State Change";

    /**
     * A change of an instance's patch compliance.
     *
     * @param complianceStatus {@code COMPLIANT} or {@code NON_COMPLIANT} (any case)
     * @param severity the highest severity among missing patches, {@code UNSPECIFIED} when none is known
     */
    public record ComplianceStateChange(
            String instanceId, String complianceStatus, String patchBaselineId, String severity) {
        public ComplianceStateChange {
            Objects.requireNonNull(instanceId, "instanceId");
            Objects.requireNonNull(complianceStatus, "complianceStatus");
            severity = severity == null || severity.isBlank() ? "UNSPECIFIED" : severity;
        }
    }

    private final EventPublisher publisher;

    public ComplianceEvents(EventPublisher publisher) {
        this.publisher = publisher;
    }

    /** The event for a change, as AWS shapes it. */
    public EventEnvelope event(ComplianceStateChange change) {
        EventEnvelope.Builder event =
                publisher.event(SOURCE, DETAIL_TYPE).resource(publisher.instanceArn(change.instanceId()));
        event.detail()
                .put("resource-type", "managed-instance")
                .put("resource-id", change.instanceId())
                .put("compliance-type", "Patch")
                .put("compliance-status", change.complianceStatus().toLowerCase(Locale.ROOT))
                .put("severity", change.severity());
        if (change.patchBaselineId() != null) {
            event.detail().put("patch-baseline-id", change.patchBaselineId());
        }
        return publisher.build(event);
    }

    /** Publishes the change on the default bus, in the transaction that recorded it. */
    public void publish(Handle handle, ComplianceStateChange change) {
        publisher.publish(handle, event(change));
    }
}
