package dev.patchtide.server.workflows;

import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.workflows.ExecutionMessages.StartExecutionRequest;
import dev.patchtide.server.workflows.ExecutionMessages.StopExecutionRequest;
import dev.patchtide.server.workflows.MachineStore.Machine;
import org.jdbi.v3.core.Jdbi;

/**
 * STANDARD executions for other features (maintenance window tasks): start one, stop one, be told when one ends.
 * Called inside a caller's transaction, the calls join it (JDBI hands nested calls the thread's handle), so what
 * the caller records about the execution commits with the execution or not at all.
 */
public final class WorkflowRuns {
    private final Jdbi jdbi;
    private final MachineApi machines;
    private final ExecutionApi executions;
    private final ExecutionEvents events;

    WorkflowRuns(Jdbi jdbi, MachineApi machines, ExecutionApi executions, ExecutionEvents events) {
        this.jdbi = jdbi;
        this.machines = machines;
        this.executions = executions;
        this.events = events;
    }

    /**
     * Starts a STANDARD execution, as StartExecution would.
     *
     * @return the execution's ARN
     * @throws ApiException what StartExecution answers (StateMachineDoesNotExist, InvalidExecutionInput, ...), or
     *     StateMachineTypeNotSupported for an EXPRESS machine, whose end no one could follow
     */
    public String start(String machineArn, String name, String input) {
        Machine machine = jdbi.withHandle(h -> machines.find(h, machineArn));
        if (!machine.type().equals("STANDARD")) {
            throw new ApiException.Invalid(
                    "StateMachineTypeNotSupported",
                    "Only a STANDARD state machine can be started here: '" + machineArn + "' is " + machine.type());
        }
        return executions
                .start(new StartExecutionRequest(machineArn, name, input, null, null))
                .executionArn();
    }

    /** Stops a running execution as StopExecution does; one that already ended is left as it is. */
    public void stop(String executionArn, String error, String cause) {
        executions.stop(new StopExecutionRequest(executionArn, error, cause));
    }

    /** Told of every STANDARD execution's end, in the ending transaction. */
    public void addListener(ExecutionListener listener) {
        events.addListener(listener);
    }
}
