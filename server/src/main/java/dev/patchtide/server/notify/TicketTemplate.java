package dev.patchtide.server.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchtide.server.api.ApiJson;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON body a {@code ticket} subscription POSTs, with placeholders inside JSON strings:
 * {@code {{Subject}}} (the title), {@code {{Text}}} (the whole message as plain text), {@code {{Message}}}
 * (the message as published), {@code {{Link}}}, {@code {{InstanceIds}}} (comma-separated),
 * {@code {{TopicArn}}} and {@code {{MessageId}}}. Values are JSON-escaped where they land.
 */
final class TicketTemplate {
    static final String ATTRIBUTE = "TicketTemplate";
    static final String AUTHORIZATION_ATTRIBUTE = "TicketAuthorization";
    static final Set<String> PLACEHOLDERS =
            Set.of("Subject", "Text", "Message", "Link", "InstanceIds", "TopicArn", "MessageId");

    /** A Jira-compatible create-issue body (POST /rest/api/2/issue), the shipped example. */
    static String jiraExample(String projectKey) {
        return "{\"fields\":{\"project\":{\"key\":\""
                + new String(JsonStringEncoder.getInstance().quoteAsString(projectKey))
                + "\"},\"summary\":\"{{Subject}}\",\"description\":\"{{Text}}\",\"issuetype\":{\"name\":\"Task\"}}}";
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z]+)}}");
    private static final ObjectMapper JSON = ApiJson.documents();

    private TicketTemplate() {}

    /** {@code InvalidParameter} naming TicketTemplate unless every placeholder is known and the result is a JSON object. */
    static void validate(String template) {
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                throw SnsErrors.invalidParameter(
                        "TicketTemplate: unknown placeholder {{" + m.group(1) + "}}; known: " + PLACEHOLDERS);
            }
        }
        String sample = fill(template, Map.of());
        try {
            if (!JSON.readTree(sample).isObject()) {
                throw SnsErrors.invalidParameter("TicketTemplate: must be a JSON object");
            }
        } catch (JsonProcessingException e) {
            throw SnsErrors.invalidParameter("TicketTemplate: not JSON once filled in: " + e.getOriginalMessage());
        }
    }

    static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.getOrDefault(m.group(1), "");
            m.appendReplacement(
                    out,
                    Matcher.quoteReplacement(
                            new String(JsonStringEncoder.getInstance().quoteAsString(value))));
        }
        m.appendTail(out);
        return out.toString();
    }
}
