package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.agent.ApiClient;
import dev.patchtide.agent.cli.InvocationFollower;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code commands send}: SendCommand from the shell, optionally following the command to its end. */
@Command(
        name = "send",
        mixinStandardHelpOptions = true,
        description = "Send a command (SendCommand) to instances by id or by target; --wait follows it to the end.")
final class CommandsSendCommand implements Callable<Integer> {
    /** AWS's final command statuses. */
    private static final Set<String> FINAL = Set.of("Success", "Failed", "TimedOut", "Cancelled");

    private static final Duration POLL = Duration.ofMillis(500);

    @Mixin
    AdminOptions admin;

    @Option(names = "--document", required = true, paramLabel = "NAME", description = "e.g. AWS-RunShellScript.")
    String document;

    @Option(names = "--document-version", paramLabel = "V", description = "A version number, $DEFAULT or $LATEST.")
    String documentVersion;

    @Option(names = "--instance", paramLabel = "ID", description = "An instance to run it on; repeatable.")
    List<String> instanceIds = new ArrayList<>();

    @Option(
            names = "--target",
            paramLabel = "KEY=VALUES",
            description = "Instances by target, e.g. tag:env=prod,staging or tag-key=owner or"
                    + " InstanceIds=mi-1,mi-2; repeatable.")
    List<String> targets = new ArrayList<>();

    @Option(
            names = "--parameter",
            paramLabel = "NAME=VALUE",
            description = "A document parameter, e.g. commands='uname -a'; repeat a name for a list.")
    List<String> parameters = new ArrayList<>();

    @Option(names = "--max-concurrency", paramLabel = "N|N%", description = "How many hosts run it at once.")
    String maxConcurrency;

    @Option(names = "--max-errors", paramLabel = "N|N%", description = "Errors allowed before sending stops.")
    String maxErrors;

    @Option(names = "--timeout-seconds", paramLabel = "S", description = "How long to wait for a host's agent.")
    Integer timeoutSeconds;

    @Option(names = "--comment", description = "Shown with the command.")
    String comment;

    @Option(names = "--wait", description = "Follow the command until it ends; print each host's outcome.")
    boolean waitForEnd;

    @Option(names = "--output", description = "With --wait: print each host's full output.")
    boolean fullOutput;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (instanceIds.isEmpty() == targets.isEmpty()) {
            throw new IllegalArgumentException("give either --instance or --target");
        }
        ApiClient client = admin.client();
        ObjectNode request = client.json().createObjectNode().put("DocumentName", document);
        if (documentVersion != null) {
            request.put("DocumentVersion", documentVersion);
        }
        if (!instanceIds.isEmpty()) {
            instanceIds.forEach(request.putArray("InstanceIds")::add);
        }
        if (!targets.isEmpty()) {
            ArrayNode list = request.putArray("Targets");
            for (String target : targets) {
                String[] kv = split(target, "--target", "KEY=VALUES");
                ArrayNode values = list.addObject().put("Key", kv[0]).putArray("Values");
                for (String v : kv[1].split(",", -1)) {
                    values.add(v);
                }
            }
        }
        if (!parameters.isEmpty()) {
            Map<String, List<String>> byName = new LinkedHashMap<>();
            for (String p : parameters) {
                String[] kv = split(p, "--parameter", "NAME=VALUE");
                byName.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(kv[1]);
            }
            request.set("Parameters", client.json().valueToTree(byName));
        }
        putIfSet(request, "MaxConcurrency", maxConcurrency);
        putIfSet(request, "MaxErrors", maxErrors);
        putIfSet(request, "Comment", comment);
        if (timeoutSeconds != null) {
            request.put("TimeoutSeconds", timeoutSeconds);
        }
        JsonNode command = client.call("AmazonSSM.SendCommand", request).path("Command");
        String id = command.path("CommandId").asText();
        PrintWriter out = spec.commandLine().getOut();
        out.println(id);
        out.flush();
        if (!waitForEnd) {
            return 0;
        }
        String status = follow(client, id, out);
        out.println();
        CommandsCommand.print(client, id, null, fullOutput, out);
        return status.equals("Success") ? 0 : 1;
    }

    /** Polls the command until it ends, printing its status and counts whenever they change; its final status. */
    private static String follow(ApiClient client, String id, PrintWriter out) throws Exception {
        String shown = null;
        while (true) {
            JsonNode c = CommandsCommand.find(client, id);
            String status = c.path("Status").asText();
            String line = InvocationFollower.status(c) + ": "
                    + c.path("CompletedCount").asInt() + " of "
                    + c.path("TargetCount").asInt() + " completed, "
                    + c.path("ErrorCount").asInt() + " errors";
            if (!line.equals(shown)) {
                out.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + "  " + line);
                out.flush();
                shown = line;
            }
            if (FINAL.contains(status)) {
                return status;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static String[] split(String text, String option, String shape) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(option + " must be " + shape + ", got: " + text);
        }
        return new String[] {text.substring(0, eq), text.substring(eq + 1)};
    }

    private static void putIfSet(ObjectNode request, String member, String value) {
        if (value != null) {
            request.put(member, value);
        }
    }
}
