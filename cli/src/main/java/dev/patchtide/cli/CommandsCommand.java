package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.cli.InvocationFollower;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Run Command from the shell: what was sent, where it stands on each host, and its output. */
@Command(
        name = "commands",
        mixinStandardHelpOptions = true,
        description = "Commands sent to instances (Run Command): list, show, send, cancel.",
        subcommands = {
            CommandsCommand.ListCommands.class,
            CommandsCommand.Show.class,
            CommandsSendCommand.class,
            CommandsCommand.Cancel.class
        })
final class CommandsCommand {
    /** ListCommands' MaxResults bound. */
    private static final int MAX_RESULTS = 50;

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List recent commands, newest first.")
    static final class ListCommands implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Option(names = "--instance", paramLabel = "ID", description = "Only commands sent to this instance.")
        String instanceId;

        @Option(
                names = "--status",
                paramLabel = "S",
                description = "Only commands with this status (Pending, InProgress, Success, Cancelled, Failed,"
                        + " TimedOut, Cancelling).")
        String status;

        @Option(
                names = "--limit",
                defaultValue = "50",
                description = "Show at most this many, newest first (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            ObjectNode request = client.json().createObjectNode();
            if (instanceId != null) {
                request.put("InstanceId", instanceId);
            }
            if (status != null) {
                // Command filters are the one SSM shape with lower-case members.
                request.putArray("Filters").addObject().put("key", "Status").put("value", status);
            }
            List<JsonNode> commands =
                    Paging.first(client, "AmazonSSM.ListCommands", request, "Commands", MAX_RESULTS, limit);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(client.json()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(Map.of("Commands", commands)));
                out.flush();
                return 0;
            }
            Table table = new Table(
                    "COMMAND ID", "DOCUMENT", "STATUS", "REQUESTED", "TARGETS", "COMPLETED", "ERRORS", "COMMENT");
            for (JsonNode c : commands) {
                table.add(
                        c.path("CommandId").asText(),
                        c.path("DocumentName").asText(),
                        InvocationFollower.status(c),
                        Table.isoInstant(c.path("RequestedDateTime")),
                        c.path("TargetCount").asText(),
                        c.path("CompletedCount").asText(),
                        c.path("ErrorCount").asText(),
                        c.path("Comment").asText());
            }
            table.print(out);
            return 0;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show one command: what was sent, and each host's status, exit code and output.")
    static final class Show implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "COMMAND_ID")
        String commandId;

        @Option(
                names = "--output",
                description = "Print each host's full output, not only its first 24,000 characters.")
        boolean fullOutput;

        @Option(names = "--instance", paramLabel = "ID", description = "Only this instance's invocation.")
        String instanceId;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            print(
                    admin.client(),
                    commandId,
                    instanceId,
                    fullOutput,
                    spec.commandLine().getOut());
            return 0;
        }
    }

    /** What was sent, then each host's status, output and exit code (of {@code instanceId} only, if given). */
    static void print(ApiClient client, String commandId, String instanceId, boolean fullOutput, PrintWriter out)
            throws Exception {
        JsonNode command = find(client, commandId);
        out.println("Command     " + command.path("CommandId").asText());
        out.println("Document    " + command.path("DocumentName").asText()
                + version(command.path("DocumentVersion").asText()));
        out.println("Status      " + InvocationFollower.status(command));
        out.println("Requested   " + Table.isoInstant(command.path("RequestedDateTime")));
        if (!command.path("Comment").asText().isEmpty()) {
            out.println("Comment     " + command.path("Comment").asText());
        }
        out.println("Parameters  " + InvocationFollower.parameters(command.path("Parameters")));
        out.println("Targets     " + targets(command));
        out.println(
                "Rate        max concurrency " + command.path("MaxConcurrency").asText("-") + ", max errors "
                        + command.path("MaxErrors").asText("-"));
        out.println("Counts      " + command.path("TargetCount").asInt() + " targets, "
                + command.path("CompletedCount").asInt() + " completed, "
                + command.path("ErrorCount").asInt() + " errors, "
                + command.path("DeliveryTimedOutCount").asInt() + " delivery timed out");

        ObjectNode request = client.json().createObjectNode().put("CommandId", commandId);
        if (instanceId != null) {
            request.put("InstanceId", instanceId);
        }
        List<JsonNode> invocations = new ArrayList<>();
        client.forEachItem("AmazonSSM.ListCommandInvocations", request, "CommandInvocations", invocations::add);
        InvocationFollower printer = new InvocationFollower(client, out, java.time.Duration.ZERO);
        for (JsonNode listed : invocations) {
            String instance = listed.path("InstanceId").asText();
            JsonNode invocation = client.call(
                    "AmazonSSM.GetCommandInvocation", Map.of("CommandId", commandId, "InstanceId", instance));
            out.println();
            String name = listed.path("InstanceName").asText();
            out.println("=== " + instance + (name.isEmpty() ? "" : " (" + name + ")") + ": "
                    + InvocationFollower.status(invocation));
            printer.printOutcome(invocation, fullOutput);
        }
        if (invocations.isEmpty()) {
            out.println();
            out.println("No invocations" + (instanceId == null ? "" : " on " + instanceId) + ".");
        }
        out.flush();
    }

    @Command(
            name = "cancel",
            mixinStandardHelpOptions = true,
            description = "Cancel a command on every host where it has not finished (or only on --instance ones).")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "COMMAND_ID")
        String commandId;

        @Option(names = "--instance", paramLabel = "ID", description = "Only on this instance; repeatable.")
        List<String> instanceIds = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            ObjectNode request = client.json().createObjectNode().put("CommandId", commandId);
            if (!instanceIds.isEmpty()) {
                instanceIds.forEach(request.putArray("InstanceIds")::add);
            }
            client.call("AmazonSSM.CancelCommand", request);
            PrintWriter out = spec.commandLine().getOut();
            out.println(
                    "Cancelling " + commandId + (instanceIds.isEmpty() ? "" : " on " + String.join(", ", instanceIds))
                            + ": 'patchtide commands show " + commandId + "' shows where it stopped.");
            out.flush();
            return 0;
        }
    }

    /** The command as ListCommands has it; the server answers InvalidCommandId for an unknown one. */
    static JsonNode find(ApiClient client, String commandId) throws Exception {
        JsonNode answer = client.call("AmazonSSM.ListCommands", Map.of("CommandId", commandId));
        JsonNode commands = answer.path("Commands");
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("no command " + commandId);
        }
        return commands.get(0);
    }

    /** "Failed (Delivery Timed Out)", or just the status when the details only repeat it ("In Progress"). */
    private static String version(String version) {
        return version.isEmpty() ? "" : " (version " + version + ")";
    }

    static String targets(JsonNode command) {
        List<String> parts = new ArrayList<>();
        command.path("InstanceIds").forEach(i -> parts.add(i.asText()));
        command.path("Targets").forEach(t -> {
            List<String> values = new ArrayList<>();
            t.path("Values").forEach(v -> values.add(v.asText()));
            parts.add(t.path("Key").asText() + "=" + String.join(",", values));
        });
        return parts.isEmpty() ? "-" : String.join(" ", parts);
    }
}
