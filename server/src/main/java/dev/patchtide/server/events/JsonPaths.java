package dev.patchtide.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The JSON path subset EventBridge evaluates in InputPath and InputPathsMap: {@code $}, dot notation
 * with names made of letters, digits, dashes, underscores and slashes, array indices {@code [n]} and the
 * wildcard {@code *} (which collects the matches into an array).
 */
final class JsonPaths {
    private JsonPaths() {}

    private static final Pattern VALID = Pattern.compile("^\\$(\\.([A-Za-z0-9_\\-/]+|\\*)|\\[(\\d+|\\*)\\])*$");

    static boolean valid(String path) {
        return path != null && VALID.matcher(path).matches();
    }

    /** The value at the path; empty when the path does not resolve. */
    static Optional<JsonNode> read(JsonNode root, String path) {
        List<String> steps = steps(path);
        List<JsonNode> current = List.of(root);
        boolean wildcard = false;
        for (String step : steps) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode node : current) {
                if (step.equals("*")) {
                    wildcard = true;
                    node.elements().forEachRemaining(next::add);
                } else if (step.startsWith("[")) {
                    JsonNode element = node.path(Integer.parseInt(step.substring(1, step.length() - 1)));
                    if (!element.isMissingNode()) {
                        next.add(element);
                    }
                } else if (node.has(step)) {
                    next.add(node.get(step));
                }
            }
            current = next;
        }
        if (wildcard) {
            ArrayNode all = EventEnvelope.JSON.createArrayNode();
            current.forEach(all::add);
            return Optional.of(all);
        }
        return current.isEmpty() ? Optional.empty() : Optional.of(current.getFirst());
    }

    private static List<String> steps(String path) {
        List<String> steps = new ArrayList<>();
        int i = 1;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                    end++;
                }
                steps.add(path.substring(i + 1, end));
                i = end;
            } else {
                int end = path.indexOf(']', i);
                String inside = path.substring(i + 1, end);
                steps.add(inside.equals("*") ? "*" : "[" + inside + "]");
                i = end + 1;
            }
        }
        return steps;
    }
}
