package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** State machines and their executions from the shell, through the Step Functions API the server speaks. */
@Command(
        name = "workflows",
        mixinStandardHelpOptions = true,
        description = "Workflows (state machines): list, executions, show.",
        subcommands = {
            WorkflowsCommand.ListMachines.class,
            WorkflowsCommand.Executions.class,
            WorkflowsCommand.Show.class
        })
final class WorkflowsCommand {
    private static final String SFN = "AWSStepFunctions.";

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List state machines.")
    static final class ListMachines implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            List<JsonNode> machines =
                    all(client, "ListStateMachines", client.json().createObjectNode(), "stateMachines");
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                printJson(client, out, Map.of("stateMachines", machines));
                return 0;
            }
            Table table = new Table("NAME", "TYPE", "CREATED", "ARN");
            for (JsonNode m : machines) {
                table.add(
                        m.path("name").asText(),
                        m.path("type").asText(),
                        Table.isoInstant(m.path("creationDate")),
                        m.path("stateMachineArn").asText());
            }
            table.print(out);
            return 0;
        }
    }

    @Command(
            name = "executions",
            mixinStandardHelpOptions = true,
            description = "List a state machine's executions, newest first.")
    static final class Executions implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "MACHINE", description = "The state machine's name or ARN.")
        String machine;

        @Option(
                names = "--status",
                paramLabel = "STATUS",
                description = "Only executions in this status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED,"
                        + " PENDING_REDRIVE).")
        String status;

        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            ObjectNode request = client.json().createObjectNode();
            request.put("stateMachineArn", machineArn(client, machine, spec));
            if (status != null) {
                request.put("statusFilter", status);
            }
            List<JsonNode> executions = all(client, "ListExecutions", request, "executions");
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                printJson(client, out, Map.of("executions", executions));
                return 0;
            }
            Table table = new Table("NAME", "STATUS", "STARTED", "STOPPED", "ARN");
            for (JsonNode e : executions) {
                table.add(
                        e.path("name").asText(),
                        e.path("status").asText(),
                        Table.isoInstant(e.path("startDate")),
                        Table.isoInstant(e.path("stopDate")),
                        e.path("executionArn").asText());
            }
            table.print(out);
            return 0;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show one execution: its status, input, output or error, and its history step by step.")
    static final class Show implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "EXECUTION_ARN")
        String executionArn;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            ObjectNode request = client.json().createObjectNode().put("executionArn", executionArn);
            JsonNode execution = client.call(SFN + "DescribeExecution", request);
            PrintWriter out = spec.commandLine().getOut();
            out.println("Execution:  " + execution.path("executionArn").asText());
            out.println("Machine:    " + execution.path("stateMachineArn").asText());
            out.println("Status:     " + execution.path("status").asText());
            out.println("Started:    " + Table.isoInstant(execution.path("startDate")));
            if (execution.has("stopDate")) {
                out.println("Stopped:    " + Table.isoInstant(execution.path("stopDate")));
            }
            out.println("Input:      " + execution.path("input").asText());
            if (execution.has("output")) {
                out.println("Output:     " + execution.path("output").asText());
            }
            if (execution.has("error")) {
                out.println("Error:      " + execution.path("error").asText());
                out.println("Cause:      " + execution.path("cause").asText());
            }
            out.println();
            Table history = new Table("ID", "TIME", "EVENT", "STATE");
            for (JsonNode event : all(client, "GetExecutionHistory", request, "events")) {
                history.add(
                        event.path("id").asText(),
                        Table.isoInstant(event.path("timestamp")),
                        event.path("type").asText(),
                        stateName(event));
            }
            history.print(out);
            return 0;
        }
    }

    /** The state an event is about, from whichever {@code …EventDetails} member carries a name. */
    private static String stateName(JsonNode event) {
        for (Map.Entry<String, JsonNode> field : event.properties()) {
            if (field.getKey().endsWith("EventDetails")
                    && field.getValue().path("name").isTextual()) {
                return field.getValue().path("name").asText();
            }
        }
        return "";
    }

    /** A machine's ARN: the argument when it is one, else the ARN of the machine of that name. */
    private static String machineArn(ApiClient client, String nameOrArn, CommandSpec spec)
            throws IOException, ApiCallException {
        if (nameOrArn.startsWith("arn:")) {
            return nameOrArn;
        }
        for (JsonNode m : all(client, "ListStateMachines", client.json().createObjectNode(), "stateMachines")) {
            if (m.path("name").asText().equals(nameOrArn)) {
                return m.path("stateMachineArn").asText();
            }
        }
        throw new ParameterException(spec.commandLine(), "No state machine is named '" + nameOrArn + "'.");
    }

    private static List<JsonNode> all(ApiClient client, String action, ObjectNode request, String member)
            throws IOException, ApiCallException {
        List<JsonNode> items = new ArrayList<>();
        client.forEachItem(SFN + action, request, member, items::add);
        return items;
    }

    private static void printJson(ApiClient client, PrintWriter out, Object value) throws IOException {
        out.println(client.json().writerWithDefaultPrettyPrinter().writeValueAsString(value));
        out.flush();
    }
}
