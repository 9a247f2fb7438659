package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.server.ServerConfig;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The workflows shipped with Patchtide: list them, print one, install one (its state machine and its rule). */
@Command(
        name = "blueprints",
        mixinStandardHelpOptions = true,
        description = "Workflow blueprints shipped with Patchtide: list (no arguments), show, install.",
        subcommands = {BlueprintsCommand.Show.class, BlueprintsCommand.Install.class})
final class BlueprintsCommand implements Callable<Integer> {
    // EventBridge and Step Functions want a role; Patchtide records it and acts with the server's own rights.
    static final String ROLE = "arn:aws:iam::" + ServerConfig.DEFAULT_ACCOUNT + ":role/patchtide-blueprints";
    static final String TARGET_ID = "blueprint";

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Table table = new Table("NAME", "SUMMARY");
        for (String name : Blueprints.names()) {
            table.add(name, Blueprints.named(name).orElseThrow().summary());
        }
        table.print(spec.commandLine().getOut());
        return 0;
    }

    static Blueprints.Blueprint blueprint(String name, CommandSpec spec) {
        return Blueprints.named(name)
                .orElseThrow(() -> new ParameterException(
                        spec.commandLine(),
                        "No blueprint is named '" + name + "'; there are: " + String.join(", ", Blueprints.names())));
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Print a blueprint's parameters and trigger, then its state machine definition (ASL JSON).")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--definition-only", description = "Print only the definition, to save and edit.")
        boolean definitionOnly;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Blueprints.Blueprint b = blueprint(name, spec);
            PrintWriter out = spec.commandLine().getOut();
            if (!definitionOnly) {
                out.println("# " + b.name() + ": " + b.summary());
                out.println("# Trigger (EventBridge rule " + ruleName(b.name()) + "): " + b.rule());
                out.println("# Parameters (install --param Name=Value; ${Name} in the definition):");
                for (Blueprints.Parameter p : b.parameters()) {
                    out.println("#   " + p.name()
                            + p.defaultValue().map(d -> " (default: " + d + ")").orElse(" (required)") + "  "
                            + p.description());
                }
            }
            out.print(Blueprints.definitionText(b.name()));
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "install",
            mixinStandardHelpOptions = true,
            description = "Create a blueprint's state machine and the EventBridge rule (with its target) that starts"
                    + " it. Installing again with the same parameters changes nothing.")
    static final class Install implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(
                names = "--param",
                paramLabel = "KEY=VALUE",
                description = "A parameter's value (repeatable); see `blueprints show NAME`.")
        Map<String, String> params = new LinkedHashMap<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Blueprints.Blueprint b = blueprint(name, spec);
            Blueprints.Filled filled;
            try {
                filled = b.fill(params);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            ApiClient client = admin.client();
            String machine = createMachine(client, b.name(), filled);
            ObjectNode rule = client.json()
                    .createObjectNode()
                    .put("Name", ruleName(b.name()))
                    .put("State", "ENABLED")
                    .put("Description", "Starts the " + b.name() + " blueprint's state machine");
            filled.eventPattern().ifPresent(p -> rule.put("EventPattern", p));
            filled.scheduleExpression().ifPresent(s -> rule.put("ScheduleExpression", s));
            String ruleArn =
                    client.call("AWSEvents.PutRule", rule).path("RuleArn").asText();
            ObjectNode targets = client.json().createObjectNode().put("Rule", ruleName(b.name()));
            targets.putArray("Targets")
                    .addObject()
                    .put("Id", TARGET_ID)
                    .put("Arn", machine)
                    .put("RoleArn", ROLE);
            JsonNode put = client.call("AWSEvents.PutTargets", targets);
            if (put.path("FailedEntryCount").asInt() > 0) {
                JsonNode failed = put.path("FailedEntries").path(0);
                throw new ApiCallException(
                        failed.path("ErrorCode").asText(),
                        failed.path("ErrorMessage").asText(),
                        400);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("State machine  " + machine);
            out.println("Rule           " + ruleArn);
            out.flush();
            return 0;
        }

        /**
         * Step Functions answers CreateStateMachine for an existing name with the same definition and role with
         * that machine; a different definition is StateMachineAlreadyExists, which is said plainly here.
         */
        private String createMachine(ApiClient client, String name, Blueprints.Filled filled) throws Exception {
            ObjectNode request = client.json()
                    .createObjectNode()
                    .put("name", name)
                    .put("definition", filled.definition().toString())
                    .put("roleArn", ROLE);
            try {
                return client.call("AWSStepFunctions.CreateStateMachine", request)
                        .path("stateMachineArn")
                        .asText();
            } catch (ApiCallException e) {
                if (e.code().equals("StateMachineAlreadyExists")) {
                    throw new ApiCallException(
                            e.code(),
                            "A state machine named " + name + " exists with another definition or role (edited, or"
                                    + " installed with other parameters). Delete it first (aws stepfunctions"
                                    + " delete-state-machine) or change it with update-state-machine.",
                            e.httpStatus());
                }
                throw e;
            }
        }
    }

    static String ruleName(String blueprint) {
        return "blueprint-" + blueprint;
    }
}
