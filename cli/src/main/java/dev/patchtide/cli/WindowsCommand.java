package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.ApiClient;
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

/** Maintenance windows from the shell: their schedules, targets and tasks, next runs and past executions. */
@Command(
        name = "windows",
        mixinStandardHelpOptions = true,
        description = "Maintenance windows: list, show, executions.",
        subcommands = {WindowsCommand.ListWindows.class, WindowsCommand.Show.class, WindowsCommand.Executions.class})
final class WindowsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List maintenance windows.")
    static final class ListWindows implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Option(names = "--json", description = "Print the API's JSON instead of a table.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            List<JsonNode> windows = new ArrayList<>();
            client.forEachItem("AmazonSSM.DescribeMaintenanceWindows", Map.of(), "WindowIdentities", windows::add);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(client.json()
                        .writerWithDefaultPrettyPrinter()
                        .writeValueAsString(Map.of("WindowIdentities", windows)));
                out.flush();
                return 0;
            }
            Table table = new Table(
                    "WINDOW ID", "NAME", "ENABLED", "SCHEDULE", "TIME ZONE", "DURATION", "CUTOFF", "NEXT RUN");
            for (JsonNode w : windows) {
                table.add(
                        w.path("WindowId").asText(),
                        w.path("Name").asText(),
                        w.path("Enabled").asBoolean() ? "yes" : "no",
                        w.path("Schedule").asText(),
                        w.path("ScheduleTimezone").asText("UTC"),
                        w.path("Duration").asText() + "h",
                        w.path("Cutoff").asText() + "h",
                        w.path("NextExecutionTime").asText());
            }
            table.print(out);
            return 0;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show a window: schedule, targets, tasks, next runs and recent executions with their tasks.")
    static final class Show implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "WINDOW_ID")
        String windowId;

        @Option(
                names = "--next",
                defaultValue = "5",
                description = "How many next runs to show (default: ${DEFAULT-VALUE}).")
        int next;

        @Option(
                names = "--executions",
                defaultValue = "10",
                description = "How many recent executions to show (default: ${DEFAULT-VALUE}).")
        int executions;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            PrintWriter out = spec.commandLine().getOut();
            JsonNode w = client.call("AmazonSSM.GetMaintenanceWindow", Map.of("WindowId", windowId));
            out.println("Window       " + w.path("WindowId").asText() + " ("
                    + w.path("Name").asText() + ")");
            if (!w.path("Description").asText().isEmpty()) {
                out.println("Description  " + w.path("Description").asText());
            }
            out.println("Enabled      " + (w.path("Enabled").asBoolean() ? "yes" : "no"));
            out.println("Schedule     " + w.path("Schedule").asText() + " in "
                    + w.path("ScheduleTimezone").asText("UTC")
                    + (w.path("ScheduleOffset").isNumber()
                            ? ", offset " + w.path("ScheduleOffset").asInt() + " days"
                            : ""));
            out.println("Duration     " + w.path("Duration").asInt() + " h, cutoff "
                    + w.path("Cutoff").asInt() + " h");
            String start = w.path("StartDate").asText();
            String end = w.path("EndDate").asText();
            if (!start.isEmpty() || !end.isEmpty()) {
                out.println(
                        "Active       from " + (start.isEmpty() ? "-" : start) + " to " + (end.isEmpty() ? "-" : end));
            }

            out.println();
            out.println("Targets");
            Table targets = new Table("TARGET ID", "NAME", "RESOURCE TYPE", "TARGETS", "OWNER INFORMATION");
            client.forEachItem(
                    "AmazonSSM.DescribeMaintenanceWindowTargets",
                    Map.of("WindowId", windowId),
                    "Targets",
                    t -> targets.add(
                            t.path("WindowTargetId").asText(),
                            t.path("Name").asText(),
                            t.path("ResourceType").asText(),
                            CommandsCommand.targets(t),
                            t.path("OwnerInformation").asText()));
            targets.print(out);

            out.println();
            out.println("Tasks");
            Table tasks = new Table(
                    "TASK ID", "PRIORITY", "TYPE", "TASK", "TARGETS", "MAX CONCURRENCY", "MAX ERRORS", "CUTOFF");
            client.forEachItem(
                    "AmazonSSM.DescribeMaintenanceWindowTasks",
                    Map.of("WindowId", windowId),
                    "Tasks",
                    t -> tasks.add(
                            t.path("WindowTaskId").asText(),
                            t.path("Priority").asText(),
                            t.path("Type").asText(),
                            t.path("TaskArn").asText(),
                            CommandsCommand.targets(t),
                            t.path("MaxConcurrency").asText(),
                            t.path("MaxErrors").asText(),
                            t.path("CutoffBehavior").asText()));
            tasks.print(out);

            out.println();
            out.println("Next runs");
            JsonNode schedule = client.call(
                    "AmazonSSM.DescribeMaintenanceWindowSchedule",
                    Map.of("WindowId", windowId, "MaxResults", Math.max(1, next)));
            Table runs = new Table("EXECUTION TIME");
            int shown = 0;
            for (JsonNode run : schedule.path("ScheduledWindowExecutions")) {
                if (shown++ < next) {
                    runs.add(run.path("ExecutionTime").asText());
                }
            }
            runs.print(out);

            out.println();
            out.println("Recent executions");
            executionTable(client, windowId, executions).print(out);
            return 0;
        }
    }

    @Command(
            name = "executions",
            mixinStandardHelpOptions = true,
            description = "List a window's executions, newest first, with the status of each of their tasks.")
    static final class Executions implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "WINDOW_ID")
        String windowId;

        @Option(
                names = "--limit",
                defaultValue = "50",
                description = "Show at most this many, newest first (default: ${DEFAULT-VALUE}).")
        int limit;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            executionTable(admin.client(), windowId, limit)
                    .print(spec.commandLine().getOut());
            return 0;
        }
    }

    /** Up to {@code limit} executions of the window, each with its tasks' statuses. */
    static Table executionTable(ApiClient client, String windowId, int limit) throws Exception {
        ObjectNode request = client.json().createObjectNode().put("WindowId", windowId);
        List<JsonNode> executions = Paging.first(
                client, "AmazonSSM.DescribeMaintenanceWindowExecutions", request, "WindowExecutions", 100, limit);
        Table table = new Table("EXECUTION ID", "STATUS", "START", "END", "TASKS");
        for (JsonNode e : executions) {
            String id = e.path("WindowExecutionId").asText();
            List<String> taskStates = new ArrayList<>();
            client.forEachItem(
                    "AmazonSSM.DescribeMaintenanceWindowExecutionTasks",
                    Map.of("WindowExecutionId", id),
                    "WindowExecutionTaskIdentities",
                    t -> taskStates.add(
                            t.path("TaskArn").asText() + " " + t.path("Status").asText()));
            table.add(
                    id,
                    executionStatus(e),
                    Table.isoInstant(e.path("StartTime")),
                    Table.isoInstant(e.path("EndTime")),
                    String.join(", ", taskStates));
        }
        return table;
    }

    private static String executionStatus(JsonNode execution) {
        String details = execution.path("StatusDetails").asText();
        return execution.path("Status").asText() + (details.isEmpty() ? "" : " (" + details + ")");
    }
}
