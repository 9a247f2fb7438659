package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Patch-compliance reports in the shape Patch Manager users export. */
@Command(
        name = "compliance",
        mixinStandardHelpOptions = true,
        description = "Patch compliance reports.",
        subcommands = {ComplianceCommand.Report.class, ComplianceCommand.History.class})
final class ComplianceCommand {

    @Command(
            name = "history",
            mixinStandardHelpOptions = true,
            description = "Print one instance's compliance changes, or without INSTANCE_ID the fleet's compliant and"
                    + " non-compliant counts per day, as JSON.")
    static final class History implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", arity = "0..1", paramLabel = "INSTANCE_ID")
        String instanceId;

        @Option(
                names = "--days",
                defaultValue = "30",
                description = "How many UTC days, today included (default: ${DEFAULT-VALUE}).")
        int days;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            com.fasterxml.jackson.databind.node.ArrayNode all = client.json().createArrayNode();
            ObjectNode request = client.json().createObjectNode();
            // Counted by the server's clock: today and the days - 1 before.
            request.put("Days", days);
            if (instanceId != null) {
                request.put("InstanceId", instanceId);
            }
            client.forEachItem(
                    "Patchtide.GetComplianceHistory",
                    request,
                    instanceId != null ? "Entries" : "DailyCounts",
                    entry -> all.add(readableTime(entry)));
            PrintWriter out = spec.commandLine().getOut();
            out.println(client.json().writerWithDefaultPrettyPrinter().writeValueAsString(all));
            out.flush();
            return 0;
        }

        /** The API's epoch-seconds {@code Time} as an ISO-8601 instant, for people reading the output. */
        private static JsonNode readableTime(JsonNode entry) {
            if (entry instanceof ObjectNode object && object.path("Time").isNumber()) {
                object.put("Time", Table.isoInstant(object.path("Time")));
            }
            return entry;
        }
    }

    @Command(
            name = "report",
            mixinStandardHelpOptions = true,
            description = "Print one instance's report as JSON, or with --all every scanned instance's as JSON lines.")
    static final class Report implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", arity = "0..1", paramLabel = "INSTANCE_ID")
        String instanceId;

        @Option(names = "--all", description = "Every registered instance that has reported a scan, one JSON per line.")
        boolean all;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (all == (instanceId != null)) {
                throw new IllegalArgumentException("give either an INSTANCE_ID or --all");
            }
            ApiClient client = admin.client();
            PrintWriter out = spec.commandLine().getOut();
            if (instanceId != null) {
                out.println(
                        client.json().writerWithDefaultPrettyPrinter().writeValueAsString(report(client, instanceId)));
                out.flush();
                return 0;
            }
            client.forEachItem(
                    "AmazonSSM.DescribeInstanceInformation", Map.of(), "InstanceInformationList", instance -> {
                        try {
                            out.println(client.json()
                                    .writeValueAsString(report(
                                            client, instance.path("InstanceId").asText())));
                        } catch (ApiCallException e) {
                            if (!e.code().equals("InvalidResourceId")) {
                                throw e;
                            }
                            // registered but never scanned: nothing to report yet
                        }
                    });
            out.flush();
            return 0;
        }

        private static JsonNode report(ApiClient client, String id) throws java.io.IOException, ApiCallException {
            JsonNode report = client.call("Patchtide.GetComplianceReport", Map.of("ResourceId", id));
            // The scan's end as an ISO-8601 instant (the API sends epoch seconds), for people reading it.
            if (report.path("ExecutionSummary") instanceof ObjectNode execution
                    && execution.path("ExecutionTime").isNumber()) {
                execution.put("ExecutionTime", Table.isoInstant(execution.path("ExecutionTime")));
            }
            return report;
        }
    }
}
