package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows and changes the tags of a managed instance (for example its {@code Patch Group}). */
@Command(
        name = "tags",
        mixinStandardHelpOptions = true,
        description = "List, add or remove tags of a managed instance.",
        subcommands = {TagsCommand.ListTags.class, TagsCommand.Add.class, TagsCommand.Remove.class})
final class TagsCommand {

    static Map<String, String> list(ApiClient client, String instanceId) throws IOException, ApiCallException {
        JsonNode answer = client.call(
                "AmazonSSM.ListTagsForResource", Map.of("ResourceType", "ManagedInstance", "ResourceId", instanceId));
        Map<String, String> tags = new LinkedHashMap<>();
        answer.path("TagList")
                .forEach(t -> tags.put(t.path("Key").asText(), t.path("Value").asText()));
        return tags;
    }

    static String describe(Map<String, String> tags) {
        return tags.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Print an instance's tags.")
    static final class ListTags implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "INSTANCE_ID")
        String instanceId;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Table table = new Table("KEY", "VALUE");
            list(admin.client(), instanceId).forEach(table::add);
            table.print(spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add or overwrite tags: Key=Value …")
    static final class Add implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "INSTANCE_ID")
        String instanceId;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE")
        List<String> pairs;

        @Override
        public Integer call() throws Exception {
            List<Map<String, String>> tags = new ArrayList<>();
            for (String pair : pairs) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("a tag must be Key=Value, got: " + pair);
                }
                tags.add(Map.of("Key", pair.substring(0, eq), "Value", pair.substring(eq + 1)));
            }
            admin.client()
                    .call(
                            "AmazonSSM.AddTagsToResource",
                            Map.of("ResourceType", "ManagedInstance", "ResourceId", instanceId, "Tags", tags));
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove tags by key.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "INSTANCE_ID")
        String instanceId;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY")
        List<String> keys;

        @Override
        public Integer call() throws Exception {
            admin.client()
                    .call(
                            "AmazonSSM.RemoveTagsFromResource",
                            Map.of("ResourceType", "ManagedInstance", "ResourceId", instanceId, "TagKeys", keys));
            return 0;
        }
    }
}
