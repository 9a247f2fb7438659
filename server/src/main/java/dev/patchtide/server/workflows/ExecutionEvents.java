package dev.patchtide.server.workflows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.events.EventEnvelope;
import dev.patchtide.server.events.EventPublisher;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jdbi.v3.core.Handle;

/**
 * {@code Step Functions Execution Status Change} on the default bus (source {@code aws.states}), as AWS sends it
 * for STANDARD executions: at start (RUNNING) and at the end, in the transaction that makes the change. Dates are
 * epoch milliseconds; members without a value are JSON nulls, as in AWS's events.
 */
final class ExecutionEvents {
    static final String SOURCE = "aws.states";
    static final String STATUS_CHANGE = "Step Functions Execution Status Change";

    private final EventPublisher publisher;
    private final List<ExecutionListener> listeners = new CopyOnWriteArrayList<>();

    ExecutionEvents(EventPublisher publisher) {
        this.publisher = publisher;
    }

    void addListener(ExecutionListener listener) {
        listeners.add(listener);
    }

    /**
     * Publishes the changes in their order with one publish: a start batch's RUNNING and end events cost one look at
     * the bus and one insert, not one of each per event.
     */
    void statusChanged(Handle handle, List<ExecutionRow> rows) {
        List<EventEnvelope> envelopes = new java.util.ArrayList<>(rows.size());
        List<ExecutionListener.Ended> ended = new java.util.ArrayList<>();
        for (ExecutionRow row : rows) {
            if (row.status() != ExecutionStatus.RUNNING) {
                ended.add(new ExecutionListener.Ended(
                        row.arn(), row.status().name(), row.output(), row.error(), row.cause(), row.stoppedAt()));
            }
            envelopes.add(envelope(row));
        }
        if (ended.size() == 1) {
            listeners.forEach(l -> l.executionEnded(handle, ended.getFirst()));
        } else if (!ended.isEmpty()) {
            listeners.forEach(l -> l.executionsEnded(handle, ended));
        }
        if (!envelopes.isEmpty()) {
            publisher.publishAll(handle, envelopes);
        }
    }

    private EventEnvelope envelope(ExecutionRow row) {
        EventEnvelope.Builder event = publisher.event(SOURCE, STATUS_CHANGE).resource(row.arn());
        ObjectNode detail = event.detail()
                .put("executionArn", row.arn())
                .put("stateMachineArn", row.machineArn())
                .put("name", row.name())
                .put("status", row.status().name())
                .put("startDate", row.startedAt().toEpochMilli());
        if (row.stoppedAt() == null) {
            detail.putNull("stopDate");
        } else {
            detail.put("stopDate", row.stoppedAt().toEpochMilli());
        }
        detail.put("input", row.input());
        detail.putObject("inputDetails").put("included", true);
        if (row.output() == null) {
            detail.putNull("output");
            detail.putNull("outputDetails");
        } else {
            detail.put("output", row.output());
            detail.putObject("outputDetails").put("included", true);
        }
        detail.put("error", row.error());
        detail.put("cause", row.cause());
        return publisher.build(event);
    }
}
