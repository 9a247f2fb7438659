package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Deliveries that failed for good (a webhook answering 4xx, or still failing when its retries ran out): the
 * dead letters, listed and sent again. Without this a publish to a dead endpoint shows nothing at all.
 */
@Command(
        name = "deliveries",
        mixinStandardHelpOptions = true,
        description = "List the deliveries that failed for good (dead letters); 'deliveries redrive' sends them again.",
        subcommands = {DeliveriesCommand.Redrive.class})
final class DeliveriesCommand implements Callable<Integer> {
    /** The API takes at most this many ids per redrive. */
    private static final int REDRIVE_BATCH = 100;

    private static final int REASON_WIDTH = 80;

    @Mixin
    AdminOptions admin;

    @Option(
            names = "--source",
            paramLabel = "ARN",
            description = "Only those from this source (a topic's or rule's ARN).")
    String source;

    @Option(names = "--json", description = "Print the API's JSON (with each payload) instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ApiClient client = admin.client();
        List<JsonNode> letters = deadLetters(client, source);
        if (json) {
            spec.commandLine()
                    .getOut()
                    .println(client.json()
                            .writerWithDefaultPrettyPrinter()
                            .writeValueAsString(Map.of("DeadLetters", letters)));
            return 0;
        }
        Table table = new Table("DELIVERY ID", "KIND", "DESTINATION", "ATTEMPTS", "FAILED AT", "REASON");
        for (JsonNode d : letters) {
            table.add(
                    d.path("DeliveryId").asText(),
                    d.path("DestinationKind").asText(),
                    d.path("Destination").asText(),
                    d.path("Attempts").asText(),
                    Table.isoInstant(d.path("FailedAt")),
                    shorten(d.path("Reason").asText().replaceAll("\\s+", " ")));
        }
        table.print(spec.commandLine().getOut());
        if (letters.isEmpty()) {
            spec.commandLine().getErr().println("No failed deliveries.");
        }
        return 0;
    }

    static List<JsonNode> deadLetters(ApiClient client, String source) throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        if (source != null) {
            request.put("Source", source);
        }
        List<JsonNode> letters = new ArrayList<>();
        client.forEachItem("Patchtide.ListDeadLetters", request, "DeadLetters", letters::add);
        return letters;
    }

    private static String shorten(String text) {
        return text.length() <= REASON_WIDTH ? text : text.substring(0, REASON_WIDTH - 1) + "…";
    }

    @Command(
            name = "redrive",
            mixinStandardHelpOptions = true,
            description = "Send failed deliveries again, with a fresh retry budget: the ids given, or --all.")
    static final class Redrive implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(paramLabel = "DELIVERY_ID", arity = "0..*", description = "Ids from 'patchtide deliveries'.")
        List<Long> ids = new ArrayList<>();

        @Option(names = "--all", description = "Every dead letter (of --source, if given).")
        boolean all;

        @Option(names = "--source", paramLabel = "ARN", description = "With --all: only those from this source.")
        String source;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (all == !ids.isEmpty()) {
                throw new IllegalArgumentException("give either DELIVERY_IDs or --all");
            }
            if (source != null && !all) {
                throw new IllegalArgumentException("--source goes with --all");
            }
            ApiClient client = admin.client();
            List<Long> wanted = ids;
            if (all) {
                wanted = new ArrayList<>();
                for (JsonNode d : deadLetters(client, source)) {
                    wanted.add(d.path("DeliveryId").asLong());
                }
            }
            List<Long> redriven = new ArrayList<>();
            List<Long> notFound = new ArrayList<>();
            for (int from = 0; from < wanted.size(); from += REDRIVE_BATCH) {
                JsonNode answer = client.call(
                        "Patchtide.RedriveDeadLetters",
                        Map.of("DeliveryIds", wanted.subList(from, Math.min(wanted.size(), from + REDRIVE_BATCH))));
                answer.path("RedrivenDeliveryIds").forEach(id -> redriven.add(id.asLong()));
                answer.path("NotFoundDeliveryIds").forEach(id -> notFound.add(id.asLong()));
            }
            var out = spec.commandLine().getOut();
            out.println("Sent again: " + (redriven.isEmpty() ? "none" : join(redriven)) + ".");
            out.flush();
            if (!notFound.isEmpty()) {
                spec.commandLine()
                        .getErr()
                        .println("Not dead letters (unknown, or redriven already): " + join(notFound) + ".");
                return 1;
            }
            return 0;
        }

        private static String join(List<Long> ids) {
            return String.join(", ", ids.stream().map(String::valueOf).toList());
        }
    }
}
