package dev.patchtide.server.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.server.api.ApiException;
import dev.patchtide.server.api.Validation;
import dev.patchtide.server.commands.AgentMessages.PluginResult;
import dev.patchtide.server.commands.CommandMessages.CloudWatchOutputConfig;
import dev.patchtide.server.commands.CommandMessages.Command;
import dev.patchtide.server.commands.CommandMessages.CommandInvocation;
import dev.patchtide.server.commands.CommandMessages.CommandPlugin;
import dev.patchtide.server.commands.CommandMessages.GetCommandInvocationResult;
import dev.patchtide.server.commands.CommandMessages.NotificationConfig;
import dev.patchtide.server.commands.CommandQuery.InvocationRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Stored commands and invocations as AWS shows them. */
final class Views {
    /** AWS's CommandPlugin Output: at most 2,500 characters, standard error after a marker. */
    static final int PLUGIN_OUTPUT = 2_500;

    private static final NotificationConfig NO_NOTIFICATION = new NotificationConfig("", List.of(), "");
    private static final CloudWatchOutputConfig NO_CLOUDWATCH = new CloudWatchOutputConfig("", false);

    private final OutputLinks links;

    Views(OutputLinks links) {
        this.links = links;
    }

    Command command(CommandRow c) {
        return new Command(
                c.commandId().toString(),
                c.documentName(),
                c.documentVersion(),
                c.comment(),
                c.expiresAfter(),
                c.parameters(),
                c.instanceIds(),
                c.targets(),
                c.requestedAt(),
                c.state().status(),
                c.state().details(),
                c.outputS3Region(),
                c.outputS3BucketName(),
                c.outputS3KeyPrefix(),
                c.maxConcurrency(),
                c.maxErrors(),
                c.targetCount(),
                c.completedCount(),
                c.errorCount(),
                c.deliveryTimedOutCount(),
                c.serviceRoleArn(),
                c.notificationConfig().orElse(NO_NOTIFICATION),
                NO_CLOUDWATCH,
                c.timeoutSeconds());
    }

    CommandInvocation invocation(InvocationRow i, boolean details) {
        CommandRow c = i.command();
        boolean sent = !InvocationState.UNDELIVERED.contains(i.state());
        return new CommandInvocation(
                c.commandId().toString(),
                i.instanceId(),
                i.instanceName(),
                c.comment(),
                c.documentName(),
                c.documentVersion(),
                c.requestedAt(),
                i.state().status(),
                i.state().details(),
                "",
                sent ? links.url(c.commandId(), i.instanceId(), "", "stdout") : "",
                sent ? links.url(c.commandId(), i.instanceId(), "", "stderr") : "",
                details ? plugins(i) : List.of(),
                c.serviceRoleArn(),
                c.notificationConfig().orElse(NO_NOTIFICATION),
                NO_CLOUDWATCH);
    }

    GetCommandInvocationResult get(InvocationRow i, Optional<String> pluginName) {
        CommandRow c = i.command();
        boolean sent = !InvocationState.UNDELIVERED.contains(i.state());
        List<String> steps = stepNames(c);
        if (pluginName.isPresent()) {
            String name = pluginName.get();
            PluginResult p = reported(i).get(name);
            if (p == null && !steps.contains(name)) {
                throw new ApiException.Invalid(
                        "InvalidPluginName",
                        "Command " + c.commandId() + " has no step named " + Validation.clip(name) + ".");
            }
            if (p == null) {
                return result(i, name, i.state().status(), i.state().details(), -1, null, null, "", "", false);
            }
            return result(
                    i,
                    name,
                    p.status(),
                    pluginDetails(p.status()),
                    Objects.requireNonNullElse(p.responseCode(), -1),
                    p.responseStartDateTime(),
                    p.responseFinishDateTime(),
                    Objects.requireNonNullElse(p.standardOutputContent(), ""),
                    Objects.requireNonNullElse(p.standardErrorContent(), ""),
                    sent);
        }
        return result(
                i,
                steps.size() == 1 ? steps.getFirst() : null,
                i.state().status(),
                i.state().details(),
                i.responseCode(),
                i.executionStart(),
                i.executionEnd(),
                i.standardOutput(),
                i.standardError(),
                sent);
    }

    private GetCommandInvocationResult result(
            InvocationRow i,
            String plugin,
            String status,
            String details,
            int code,
            java.time.Instant start,
            java.time.Instant end,
            String stdout,
            String stderr,
            boolean sent) {
        CommandRow c = i.command();
        String linkPlugin = plugin != null && reported(i).containsKey(plugin) ? plugin : "";
        return new GetCommandInvocationResult(
                c.commandId().toString(),
                i.instanceId(),
                c.comment(),
                c.documentName(),
                c.documentVersion(),
                plugin,
                code,
                CommandApi.iso(start),
                CommandApi.elapsed(start, end),
                CommandApi.iso(end),
                status,
                details,
                cut(stdout, CommandApi.STDOUT_SHOWN),
                sent ? links.url(c.commandId(), i.instanceId(), linkPlugin, "stdout") : "",
                cut(stderr, CommandApi.STDERR_SHOWN),
                sent ? links.url(c.commandId(), i.instanceId(), linkPlugin, "stderr") : "",
                NO_CLOUDWATCH);
    }

    private List<CommandPlugin> plugins(InvocationRow i) {
        CommandRow c = i.command();
        Map<String, PluginResult> reported = reported(i);
        List<String> names = new ArrayList<>(stepNames(c));
        reported.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
        List<CommandPlugin> plugins = new ArrayList<>();
        for (String name : names) {
            PluginResult p = reported.get(name);
            if (p == null) {
                plugins.add(new CommandPlugin(
                        name,
                        pluginStatus(i.state()),
                        i.state().details(),
                        -1,
                        null,
                        null,
                        "",
                        "",
                        "",
                        c.outputS3Region(),
                        c.outputS3BucketName(),
                        c.outputS3KeyPrefix()));
                continue;
            }
            String stdout = Objects.requireNonNullElse(p.standardOutputContent(), "");
            String stderr = Objects.requireNonNullElse(p.standardErrorContent(), "");
            String output = stderr.isEmpty() ? stdout : stdout + "\n----------ERROR-------\n" + stderr;
            plugins.add(new CommandPlugin(
                    name,
                    p.status(),
                    pluginDetails(p.status()),
                    Objects.requireNonNullElse(p.responseCode(), -1),
                    p.responseStartDateTime(),
                    p.responseFinishDateTime(),
                    cut(output, PLUGIN_OUTPUT),
                    links.url(c.commandId(), i.instanceId(), name, "stdout"),
                    links.url(c.commandId(), i.instanceId(), name, "stderr"),
                    c.outputS3Region(),
                    c.outputS3BucketName(),
                    c.outputS3KeyPrefix()));
        }
        return plugins;
    }

    private static Map<String, PluginResult> reported(InvocationRow i) {
        Map<String, PluginResult> byName = new LinkedHashMap<>();
        for (PluginResult p : AgentChannel.plugins(i.plugins())) {
            byName.put(p.name(), p);
        }
        return byName;
    }

    private static List<String> stepNames(CommandRow c) {
        List<String> names = new ArrayList<>();
        for (JsonNode step : AgentChannel.tree(c.plan()).path("Steps")) {
            if (step.path("Name").isTextual()) {
                names.add(step.path("Name").asText());
            }
        }
        return names;
    }

    /** A plugin's Status from its invocation's, for steps the agent has not reported (CommandPluginStatus). */
    private static String pluginStatus(InvocationState state) {
        return switch (state) {
            case QUEUED, RELEASED -> "Pending";
            case DELIVERED, CANCELLING -> "InProgress";
            case SUCCESS -> "Success";
            case EXECUTION_TIMED_OUT, DELIVERY_TIMED_OUT -> "TimedOut";
            case CANCELLED, TERMINATED -> "Cancelled";
            case FAILED, UNDELIVERABLE -> "Failed";
        };
    }

    private static String pluginDetails(String status) {
        return switch (status) {
            case "InProgress" -> "In Progress";
            case "TimedOut" -> "Execution Timed Out";
            default -> status;
        };
    }

    /** The first {@code max} characters, never splitting a surrogate pair. */
    static String cut(String text, int max) {
        if (text == null) {
            return "";
        }
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }
}
