package dev.patchtide.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchtide.agent.ApiCallException;
import dev.patchtide.agent.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * SNS-style topics from the shell: create them, subscribe email, webhooks (http/https, Slack, Teams)
 * and ticketing systems, and publish. TOPIC is a topic's name or ARN.
 */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Create topics, subscribe email/Slack/Teams/webhooks/tickets to them, and publish.",
        subcommands = {
            TopicsCommand.Create.class,
            TopicsCommand.ListAll.class,
            TopicsCommand.Delete.class,
            TopicsCommand.Subscribe.class,
            TopicsCommand.Subscriptions.class,
            TopicsCommand.Confirm.class,
            TopicsCommand.Unsubscribe.class,
            TopicsCommand.Publish.class
        })
final class TopicsCommand {

    /** A topic's ARN from its name or ARN. */
    static String topicArn(ApiClient client, String topic) throws IOException, ApiCallException {
        if (topic.startsWith("arn:")) {
            return topic;
        }
        List<String> arns = new ArrayList<>();
        client.forEachItem(
                "Patchtide.ListTopics",
                Map.of(),
                "Topics",
                t -> arns.add(t.path("TopicArn").asText()));
        for (String arn : arns) {
            if (arn.endsWith(":" + topic)) {
                return arn;
            }
        }
        throw new IllegalArgumentException("no topic named " + topic + "; see 'patchtide topics list'");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic; prints its ARN.")
    static final class Create implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--display-name", description = "Name shown in messages (at most 100 characters).")
        String displayName;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("Name", name);
            if (displayName != null) {
                request.put("Attributes", Map.of("DisplayName", displayName));
            }
            spec.commandLine()
                    .getOut()
                    .println(admin.client()
                            .call("Patchtide.CreateTopic", request)
                            .path("TopicArn")
                            .asText());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List topics.")
    static final class ListAll implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            Table table = new Table("TOPIC", "ARN", "CONFIRMED", "PENDING");
            client.forEachItem("Patchtide.ListTopics", Map.of(), "Topics", t -> {
                String arn = t.path("TopicArn").asText();
                JsonNode a = client.call("Patchtide.GetTopicAttributes", Map.of("TopicArn", arn))
                        .path("Attributes");
                table.add(
                        arn.substring(arn.lastIndexOf(':') + 1),
                        arn,
                        a.path("SubscriptionsConfirmed").asText(),
                        a.path("SubscriptionsPending").asText());
            });
            table.print(spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic and its subscriptions.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            client.call("Patchtide.DeleteTopic", Map.of("TopicArn", topicArn(client, topic)));
            return 0;
        }
    }

    @Command(
            name = "subscribe",
            mixinStandardHelpOptions = true,
            description = "Subscribe an endpoint: email (confirmation mail), http/https (confirmation POST),"
                    + " slack/teams (webhook URL), ticket (create-issue URL + template).")
    static final class Subscribe implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Option(names = "--protocol", required = true, description = "email, http, https, slack, teams or ticket.")
        String protocol;

        @Option(names = "--endpoint", required = true, description = "Email address or URL.")
        String endpoint;

        @Option(names = "--filter-policy", description = "SNS filter policy (JSON).")
        String filterPolicy;

        @Option(names = "--filter-policy-scope", description = "MessageAttributes (default) or MessageBody.")
        String filterPolicyScope;

        @Option(
                names = "--dedupe-policy",
                description = "Notify once per key and condition until it changes, e.g."
                        + " '{\"KeyPath\":\"$.detail.resource-id\",\"ConditionPath\":\"$.detail.reboot-pending\","
                        + "\"RemindAfter\":\"P7D\"}'.")
        String dedupePolicy;

        @Option(names = "--raw", description = "http/https: POST the bare message (RawMessageDelivery).")
        boolean raw;

        @ArgGroup(exclusive = true)
        Template template;

        static final class Template {
            @Option(
                    names = "--ticket-template",
                    description = "ticket: JSON body with placeholders {{Subject}} {{Text}} {{Message}} {{Link}}"
                            + " {{InstanceIds}} {{TopicArn}} {{MessageId}}; @FILE reads a file.")
            String json;

            @Option(
                    names = "--jira-project",
                    description = "ticket: use Jira's create-issue body for this project key.")
            String jiraProject;
        }

        @Option(
                names = "--ticket-authorization",
                defaultValue = "${env:PATCHTIDE_TICKET_AUTHORIZATION}",
                description = "ticket: Authorization header value, e.g. 'Basic …' or 'Bearer …'"
                        + " (or set PATCHTIDE_TICKET_AUTHORIZATION).")
        String ticketAuthorization;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            Map<String, String> attributes = new LinkedHashMap<>();
            putIf(attributes, "FilterPolicy", filterPolicy);
            putIf(attributes, "FilterPolicyScope", filterPolicyScope);
            putIf(attributes, "DedupePolicy", dedupePolicy);
            if (raw) {
                attributes.put("RawMessageDelivery", "true");
            }
            if (template != null) {
                attributes.put(
                        "TicketTemplate",
                        template.jiraProject != null ? jira(template.jiraProject) : read(template.json));
            }
            if (protocol.equals("ticket")) {
                putIf(attributes, "TicketAuthorization", ticketAuthorization);
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("TopicArn", topicArn(client, topic));
            request.put("Protocol", protocol);
            request.put("Endpoint", endpoint);
            request.put("Attributes", attributes);
            String arn = client.call("Patchtide.Subscribe", request)
                    .path("SubscriptionArn")
                    .asText();
            spec.commandLine().getOut().println(arn);
            if (arn.equals("pending confirmation")) {
                spec.commandLine()
                        .getErr()
                        .println("The endpoint was sent a confirmation request; messages flow once it is confirmed.");
            }
            return 0;
        }

        private static void putIf(Map<String, String> attributes, String name, String value) {
            if (value != null && !value.isBlank()) {
                attributes.put(name, value);
            }
        }

        private static String read(String value) throws IOException {
            return value.startsWith("@") ? Files.readString(Path.of(value.substring(1))) : value;
        }

        /** Jira's POST /rest/api/2/issue body. */
        static String jira(String projectKey) {
            if (!projectKey.matches("[A-Z][A-Z0-9_]{0,254}")) {
                throw new IllegalArgumentException("--jira-project must be a Jira project key like OPS");
            }
            return "{\"fields\":{\"project\":{\"key\":\"" + projectKey + "\"},\"summary\":\"{{Subject}}\","
                    + "\"description\":\"{{Text}}\",\"issuetype\":{\"name\":\"Task\"}}}";
        }
    }

    @Command(
            name = "subscriptions",
            mixinStandardHelpOptions = true,
            description = "List subscriptions (of one topic).")
    static final class Subscriptions implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", arity = "0..1", paramLabel = "TOPIC")
        String topic;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            String action = topic == null ? "Patchtide.ListSubscriptions" : "Patchtide.ListSubscriptionsByTopic";
            Table table = new Table("SUBSCRIPTION", "PROTOCOL", "ENDPOINT", "TOPIC");
            Map<String, Object> request = new LinkedHashMap<>();
            if (topic != null) {
                request.put("TopicArn", topicArn(client, topic));
            }
            client.forEachItem(action, request, "Subscriptions", sub -> {
                String topicArn = sub.path("TopicArn").asText();
                table.add(
                        sub.path("SubscriptionArn").asText(),
                        sub.path("Protocol").asText(),
                        sub.path("Endpoint").asText(),
                        topicArn.substring(topicArn.lastIndexOf(':') + 1));
            });
            table.print(spec.commandLine().getOut());
            return 0;
        }
    }

    @Command(
            name = "confirm",
            mixinStandardHelpOptions = true,
            description = "Confirm with the token from the confirmation.")
    static final class Confirm implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Parameters(index = "1", paramLabel = "TOKEN")
        String token;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            JsonNode answer = client.call(
                    "Patchtide.ConfirmSubscription", Map.of("TopicArn", topicArn(client, topic), "Token", token));
            spec.commandLine().getOut().println(answer.path("SubscriptionArn").asText());
            return 0;
        }
    }

    @Command(name = "unsubscribe", mixinStandardHelpOptions = true, description = "Remove a subscription.")
    static final class Unsubscribe implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "SUBSCRIPTION_ARN")
        String subscriptionArn;

        @Override
        public Integer call() throws Exception {
            admin.client().call("Patchtide.Unsubscribe", Map.of("SubscriptionArn", subscriptionArn));
            return 0;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Publish a message; prints its id.")
    static final class Publish implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Option(names = "--message", required = true, description = "The message (text or JSON); @FILE reads a file.")
        String message;

        @Option(names = "--subject", description = "Subject (email subject, title in chat).")
        String subject;

        @Option(
                names = "--attribute",
                paramLabel = "NAME=VALUE",
                description = "A String message attribute (repeatable), for filter policies.")
        List<String> attributes = new ArrayList<>();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            ApiClient client = admin.client();
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("TopicArn", topicArn(client, topic));
            request.put("Message", Subscribe.read(message));
            if (subject != null) {
                request.put("Subject", subject);
            }
            Map<String, Object> messageAttributes = new LinkedHashMap<>();
            for (String pair : attributes) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("an attribute must be NAME=VALUE, got: " + pair);
                }
                messageAttributes.put(
                        pair.substring(0, eq), Map.of("DataType", "String", "StringValue", pair.substring(eq + 1)));
            }
            if (!messageAttributes.isEmpty()) {
                request.put("MessageAttributes", messageAttributes);
            }
            spec.commandLine()
                    .getOut()
                    .println(client.call("Patchtide.Publish", request)
                            .path("MessageId")
                            .asText());
            return 0;
        }
    }
}
