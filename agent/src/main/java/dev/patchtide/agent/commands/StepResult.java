package dev.patchtide.agent.commands;

/**
 * How one step ended.
 *
 * @param status AWS's plugin status: Success, Failed, TimedOut or Cancelled
 * @param responseCode the exit code (-1 when there is none)
 * @param rebootRequested the step wants the host rebooted before the plan goes on; the runner records that
 *     durably, reboots through its reboot action, and calls {@link Plugin#resumeAfterReboot} on start-up
 * @param restartAgent the step replaced the agent's own package: once the invocation's result is recorded (and
 *     sent, if the server takes it in time) the runner restarts the agent through its {@link AgentRestart}
 */
public record StepResult(String status, int responseCode, boolean rebootRequested, boolean restartAgent) {

    public StepResult(String status, int responseCode, boolean rebootRequested) {
        this(status, responseCode, rebootRequested, false);
    }

    public static StepResult success() {
        return new StepResult("Success", 0, false);
    }

    /** Success, after which the agent must restart to run what the step installed. */
    public static StepResult successThenRestart() {
        return new StepResult("Success", 0, false, true);
    }

    public static StepResult failed(int responseCode) {
        return new StepResult("Failed", responseCode, false);
    }

    public boolean succeeded() {
        return status.equals("Success");
    }
}
