package dev.patchtide.server.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchtide.server.events.TargetMessages.InputTransformer;
import dev.patchtide.server.events.TargetMessages.Target;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a target receives for an event: the event itself, or the target's constant {@code Input}, the
 * part at its {@code InputPath}, or its {@code InputTransformer}'s template filled in.
 *
 * <p>Template rules, as EventBridge applies them: a placeholder inside a JSON string literal of the
 * template ({@code "name: <name>"}) receives the value as text, escaped for that string (a string without
 * its quotes); a placeholder outside string literals of a JSON template ({@code {"n": <name>}}) receives
 * the value as JSON ({@code "text"} with its quotes, numbers, objects), {@code null} when the path does
 * not resolve; in a template that is not JSON (plain text) it receives the value as text. The predefined
 * variables {@code aws.events.rule-arn}, {@code aws.events.rule-name}, {@code aws.events.event.ingestion-time},
 * {@code aws.events.event} (the envelope without detail) and {@code aws.events.event.json} are available.
 */
final class TargetInput {
    private TargetInput() {}

    private static final Pattern PLACEHOLDER = Pattern.compile("<([A-Za-z0-9_\\-.]+)>");

    record Context(ObjectNode event, String ruleArn, String ruleName, Instant ingestedAt) {}

    static String render(Target target, Context context) {
        if (target.input() != null) {
            return target.input();
        }
        if (target.inputPath() != null) {
            return JsonPaths.read(context.event(), target.inputPath())
                    .map(TargetInput::text)
                    .orElse("null");
        }
        if (target.inputTransformer() != null) {
            return transform(target.inputTransformer(), context);
        }
        return text(context.event());
    }

    static String transform(InputTransformer transformer, Context context) {
        Map<String, Optional<JsonNode>> values = new HashMap<>();
        if (transformer.inputPathsMap() != null) {
            transformer
                    .inputPathsMap()
                    .forEach((name, path) -> values.put(name, JsonPaths.read(context.event(), path)));
        }
        values.put(
                "aws.events.rule-arn",
                Optional.of(EventEnvelope.JSON.getNodeFactory().textNode(context.ruleArn())));
        values.put(
                "aws.events.rule-name",
                Optional.of(EventEnvelope.JSON.getNodeFactory().textNode(context.ruleName())));
        values.put(
                "aws.events.event.ingestion-time",
                Optional.of(EventEnvelope.JSON
                        .getNodeFactory()
                        .textNode(DateTimeFormatter.ISO_INSTANT.format(context.ingestedAt()))));
        ObjectNode withoutDetail = context.event().deepCopy();
        withoutDetail.remove("detail");
        values.put("aws.events.event", Optional.of(withoutDetail));
        values.put("aws.events.event.json", Optional.of(context.event()));

        String template = transformer.inputTemplate();
        String trimmed = template.strip();
        boolean jsonTemplate = trimmed.startsWith("{") || trimmed.startsWith("[");
        boolean[] quoted = quotedPositions(template);
        StringBuilder out = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(template);
        int last = 0;
        while (m.find()) {
            Optional<JsonNode> value = values.get(m.group(1));
            if (value == null) {
                continue; // not a variable: left as written
            }
            out.append(template, last, m.start());
            if (quoted[m.start()]) {
                out.append(JsonStringEncoder.getInstance()
                        .quoteAsString(value.map(TargetInput::plain).orElse("")));
            } else if (jsonTemplate) {
                out.append(value.map(TargetInput::text).orElse("null"));
            } else {
                out.append(value.map(TargetInput::plain).orElse(""));
            }
            last = m.end();
        }
        out.append(template.substring(last));
        return out.toString();
    }

    /** For each character of the template, whether it lies inside a double-quoted string (JSON escapes honoured). */
    private static boolean[] quotedPositions(String template) {
        boolean[] quoted = new boolean[template.length() + 1];
        boolean inside = false;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (inside && c == '\\') {
                quoted[i] = true;
                if (i + 1 < template.length()) {
                    quoted[i + 1] = true;
                }
                i++;
                continue;
            }
            if (c == '"') {
                inside = !inside;
                quoted[i] = false;
                continue;
            }
            quoted[i] = inside;
        }
        return quoted;
    }

    /** A value as text: strings without quotes, anything else as its JSON. */
    private static String plain(JsonNode value) {
        return value.isTextual() ? value.asText() : text(value);
    }

    static String text(JsonNode value) {
        try {
            return EventEnvelope.JSON.writeValueAsString(value);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
