package dev.patchtide.agent.commands;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code aws:runDocument}: runs the nested document's plan (resolved by the server) with this step's outputs
 * and deadline; the step ends as the nested plan does.
 */
final class RunDocumentPlugin implements Plugin {
    static final String ACTION = "aws:runDocument";

    @Override
    public String action() {
        return ACTION;
    }

    @Override
    public StepResult run(StepContext context) throws InterruptedException {
        JsonNode plan = context.inputs().path("Plan");
        if (!plan.path("Steps").isArray()) {
            Notes.write(
                    context.stderr(),
                    "document " + context.inputs().path("DocumentName").asText("(unnamed)")
                            + " came without a plan to run");
            return StepResult.failed(-1);
        }
        return context.nested().run(plan);
    }
}
