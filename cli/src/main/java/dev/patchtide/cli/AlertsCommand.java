package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Patchtide's built-in alerts: each is an ordinary EventBridge rule ({@code patchtide-ALERT}) sending to a
 * topic, switched on and off here.
 */
@Command(
        name = "alerts",
        mixinStandardHelpOptions = true,
        description = "Switch the built-in alerts (compliance, reboot-pending, connection-lost) on and off.",
        subcommands = {AlertsCommand.Enable.class, AlertsCommand.Disable.class, AlertsCommand.ListAll.class})
final class AlertsCommand {
    private static final String ALERTS = "compliance|reboot-pending|connection-lost";

    @Command(
            name = "enable",
            mixinStandardHelpOptions = true,
            description = "Switch an alert on, sending to a topic (again: change its topic or reminder).")
    static final class Enable implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = ALERTS)
        String alert;

        @Option(names = "--topic", required = true, paramLabel = "NAME_OR_ARN", description = "Topic to send to.")
        String topic;

        @Option(
                names = "--remind-after",
                paramLabel = "DURATION",
                description = "reboot-pending only: remind of a reboot still pending after this long"
                        + " (ISO-8601, default P7D).")
        String remindAfter;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("Alert", alert);
            request.put("Topic", TopicsCommand.topicArn(client, topic));
            if (remindAfter != null) {
                request.put("RemindAfter", remindAfter);
            }
            JsonNode a = client.call("Patchtide.EnableBuiltInAlert", request);
            spec.commandLine()
                    .getOut()
                    .println(alert + " alert on: rule " + a.path("RuleName").asText() + " -> "
                            + a.path("TopicArn").asText()
                            + (a.hasNonNull("RemindAfter")
                                    ? " (reminds after " + a.path("RemindAfter").asText() + ")"
                                    : ""));
            return 0;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Switch an alert off (removes its rule).")
    static final class Disable implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = ALERTS)
        String alert;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            admin.client().call("Patchtide.DisableBuiltInAlert", Map.of("Alert", alert));
            spec.commandLine().getOut().println(alert + " alert off");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the built-in alerts.")
    static final class ListAll implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Table table = new Table("ALERT", "STATE", "RULE", "TOPIC", "REMIND AFTER");
            for (JsonNode a :
                    admin.client().call("Patchtide.ListBuiltInAlerts", Map.of()).path("Alerts")) {
                table.add(
                        a.path("Alert").asText(),
                        a.path("Enabled").asBoolean() ? "on" : "off",
                        a.path("RuleName").asText(),
                        Objects.requireNonNullElse(a.path("TopicArn").textValue(), "-"),
                        Objects.requireNonNullElse(a.path("RemindAfter").textValue(), "-"));
            }
            table.print(spec.commandLine().getOut());
            return 0;
        }
    }
}
