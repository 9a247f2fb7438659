package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.ApiClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Lists managed instances with their ping status, platform and tags. */
@Command(name = "instances", mixinStandardHelpOptions = true, description = "List managed instances.")
final class InstancesCommand implements Callable<Integer> {
    @Mixin
    AdminOptions admin;

    @Option(names = "--ping-status", description = "Only instances with this status: Online or ConnectionLost.")
    String pingStatus;

    @Option(names = "--tag", description = "Only instances with this tag (Key=Value); repeatable.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--json", description = "Print the API's JSON instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ApiClient client = admin.client();
        ObjectNode request = client.json().createObjectNode();
        ArrayNode filters = request.putArray("Filters");
        if (pingStatus != null) {
            filters.addObject().put("Key", "PingStatus").putArray("Values").add(pingStatus);
        }
        for (String tag : tags) {
            int eq = tag.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--tag must be Key=Value, got: " + tag);
            }
            filters.addObject()
                    .put("Key", "tag:" + tag.substring(0, eq))
                    .putArray("Values")
                    .add(tag.substring(eq + 1));
        }
        List<JsonNode> instances = new ArrayList<>();
        client.forEachItem("AmazonSSM.DescribeInstanceInformation", request, "InstanceInformationList", instances::add);

        if (json) {
            spec.commandLine()
                    .getOut()
                    .println(client.json()
                            .writerWithDefaultPrettyPrinter()
                            .writeValueAsString(Map.of("InstanceInformationList", instances)));
            return 0;
        }
        Table table = new Table(
                "INSTANCE ID", "NAME", "COMPUTER NAME", "IP ADDRESS", "PLATFORM", "PING STATUS", "LAST PING", "TAGS");
        for (JsonNode i : instances) {
            String id = i.path("InstanceId").asText();
            table.add(
                    id,
                    i.path("Name").asText(),
                    i.path("ComputerName").asText(),
                    i.path("IPAddress").asText(),
                    (i.path("PlatformName").asText() + " "
                                    + i.path("PlatformVersion").asText())
                            .strip(),
                    i.path("PingStatus").asText(),
                    Table.isoInstant(i.path("LastPingDateTime")),
                    TagsCommand.describe(TagsCommand.list(client, id)));
        }
        table.print(spec.commandLine().getOut());
        return 0;
    }
}
