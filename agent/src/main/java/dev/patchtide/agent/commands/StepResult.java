package dev.patchtide.agent.commands;

/**
 * How one step ended.
 *
 * @param status AWS's plugin status: Success, Failed, TimedOut or Cancelled
 * @param responseCode the exit code (-1 when there is none)
 * @param rebootRequested the step wants the host rebooted before the plan goes on; the runner records that
 *     durably, reboots through its reboot action, and calls {@link Plugin#resumeAfterReboot} on start-up
 */
public record StepResult(String status, int responseCode, boolean rebootRequested) {

    public static StepResult success() {
        return new StepResult("Success", 0, false);
    }

    public static StepResult failed(int responseCode) {
        return new StepResult("Failed", responseCode, false);
    }

    public boolean succeeded() {
        return status.equals("Success");
    }
}
